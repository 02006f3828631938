import { createPublicKey } from 'node:crypto';
import path from 'node:path';
import type { Queryable } from '../src/db';
import { archiveAuditEntries } from '../src/audit/archive';
import {
  canonicalBytes,
  chainHash,
  GENESIS_HASH,
  leafHash,
  verifyConsistency,
  verifyInclusion,
  verifyTreeHead,
} from '../src/audit';
import { bearer, createTestApp, tempDir, testDatabases, TEST_TOKENS, type TestApp } from './helpers';

const admin = bearer(TEST_TOKENS.admin);

async function seed(t: TestApp, n: number): Promise<void> {
  const events = Array.from({ length: n }, (_, i) => ({
    action: 'ban.create',
    resource: 'bans',
    resourceId: `198.51.100.${i}`,
    status: 'success',
  }));
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/audit/events',
    headers: { ...admin, 'content-type': 'application/json' },
    payload: events,
  });
  expect(res.statusCode).toBe(201);
  await t.app.audit.flush();
}

async function verify(t: TestApp) {
  const res = await t.app.inject({ method: 'POST', url: '/api/audit/verify', headers: bearer(TEST_TOKENS.viewer) });
  expect(res.statusCode).toBe(200);
  return res.json();
}

async function checkpoint(t: TestApp) {
  const res = await t.app.inject({ method: 'POST', url: '/api/audit/checkpoint', headers: admin });
  expect(res.statusCode).toBe(201);
  return res.json();
}

/** What an attacker with superuser access can do: bypass the WORM triggers for one transaction. */
async function tamper(t: TestApp, fn: (tx: Queryable) => Promise<void>): Promise<void> {
  await t.db.transaction(async (tx) => {
    await tx.exec('SET LOCAL session_replication_role = replica');
    await fn(tx);
  });
}

/** Rewrites entry `seq` with new content and recomputes every hash after it, as a careful attacker would. */
async function rewriteWithRecomputedHashes(t: TestApp, seq: number): Promise<void> {
  await tamper(t, async (tx) => {
    const rows = (
      await tx.query<{ seq: number; canonical: Buffer; hash_prev: Buffer }>(
        'SELECT seq, canonical, hash_prev FROM audit_log WHERE seq >= $1 ORDER BY seq',
        [seq]
      )
    ).rows;
    let prev = rows[0] ? Buffer.from(rows[0].hash_prev).toString('hex') : GENESIS_HASH;
    for (const row of rows) {
      let bytes: Buffer = Buffer.from(row.canonical);
      if (row.seq === seq) {
        const entry = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
        bytes = canonicalBytes({ ...entry, resourceId: '203.0.113.66' });
      }
      const current = chainHash(prev, bytes);
      await tx.query(
        "UPDATE audit_log SET canonical = $2, resource_id = $3, leaf_hash = decode($4, 'hex'), hash_prev = decode($5, 'hex'), hash_current = decode($6, 'hex') WHERE seq = $1",
        [row.seq, bytes, row.seq === seq ? '203.0.113.66' : null, leafHash(bytes).toString('hex'), prev, current]
      );
      prev = current;
    }
    await tx.query("UPDATE audit_head SET head_hash = decode($1, 'hex')", [prev]);
  });
}

describe.each(testDatabases)('audit verification on $name', ({ open }) => {
  let t: TestApp;
  beforeEach(async () => {
    // The audit hook would add entries of its own; leave them out so seqs are predictable.
    t = await createTestApp({ db: await open() });
    t.app.config.audit.excludePaths.push('/api');
  });
  afterEach(async () => {
    await t.close();
  });

  test('an untouched log verifies, and the integrity gauge says so', async () => {
    await seed(t, 10);
    await checkpoint(t);
    const report = await verify(t);
    expect(report).toMatchObject({ valid: true, checked: 10, treeSize: 10, checkpointsChecked: 1 });
    expect(report.rootHash).toMatch(/^[0-9a-f]{64}$/);
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('audit_log_integrity_check_result 1');
  });

  test.each([
    [
      'a changed field',
      3,
      (tx: Queryable) =>
        tx.query(
          "UPDATE audit_log SET canonical = convert_to(replace(convert_from(canonical, 'UTF8'), '198.51.100.3', '198.51.100.99'), 'UTF8') WHERE seq = 3"
        ),
    ],
    ['a deleted row', 4, (tx: Queryable) => tx.query('DELETE FROM audit_log WHERE seq = 4')],
    [
      'two rows swapped',
      2,
      (tx: Queryable) =>
        tx.query(
          `UPDATE audit_log a SET canonical = b.canonical, leaf_hash = b.leaf_hash, hash_prev = b.hash_prev, hash_current = b.hash_current
         FROM audit_log b WHERE (a.seq, b.seq) IN ((2, 5), (5, 2))`
        ),
    ],
    ['rows removed from the end', 8, (tx: Queryable) => tx.query('DELETE FROM audit_log WHERE seq >= 8')],
  ])('%s is caught at the first bad seq', async (_name, badSeq, change) => {
    await seed(t, 10);
    await tamper(t, async (tx) => {
      await change(tx);
    });
    const report = await verify(t);
    expect(report.valid).toBe(false);
    expect(report.firstInvalid.seq).toBe(badSeq);
    expect(report.firstInvalid.reason).toEqual(expect.any(String));
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).body).toContain(
      'audit_log_integrity_check_result 0'
    );
  });

  test('history rewritten with recomputed hashes before a signed checkpoint is caught', async () => {
    await seed(t, 5);
    await checkpoint(t);
    await seed(t, 5);
    await checkpoint(t);
    await rewriteWithRecomputedHashes(t, 7);
    const report = await verify(t);
    expect(report.valid).toBe(false);
    expect(report.firstInvalid.seq).toBe(5); // the checkpoint of 5 entries still matches
    expect(report.firstInvalid.reason).toMatch(/rewritten/);
  });

  test('removing entries and moving the head back is caught by the checkpoint', async () => {
    await seed(t, 6);
    await checkpoint(t);
    await tamper(t, async (tx) => {
      await tx.query('DELETE FROM audit_log WHERE seq >= 4');
      const prev = (await tx.query<{ hash_current: Buffer }>('SELECT hash_current FROM audit_log WHERE seq = 3'))
        .rows[0];
      await tx.query('UPDATE audit_head SET tree_size = 4, head_hash = $1', [prev?.hash_current]);
    });
    const report = await verify(t);
    expect(report.valid).toBe(false);
    expect(report.firstInvalid.reason).toMatch(/only 4 are stored/);
  });

  test('proofs and checkpoints from the API verify independently', async () => {
    await seed(t, 13);
    const cp = await checkpoint(t);
    const pem = (
      await t.app.inject({ method: 'GET', url: '/api/audit/public-key', headers: bearer(TEST_TOKENS.viewer) })
    ).body;
    const { signature, keyFingerprint: _fp, ...head } = cp;
    expect(verifyTreeHead(head, signature, createPublicKey(pem))).toBe(true);
    expect(verifyTreeHead({ ...head, treeSize: 12 }, signature, createPublicKey(pem))).toBe(false);

    for (const seq of [0, 6, 12]) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/audit/proof/inclusion?seq=${seq}&treeSize=13`,
        headers: admin,
      });
      const p = res.json();
      expect(p.rootHash).toBe(cp.rootHash);
      const hashes = p.proof.map((h: string) => Buffer.from(h, 'hex'));
      expect(verifyInclusion(seq, 13, Buffer.from(p.leafHash, 'hex'), hashes, Buffer.from(cp.rootHash, 'hex'))).toBe(
        true
      );
    }
    await seed(t, 4);
    const c = (
      await t.app.inject({ method: 'GET', url: '/api/audit/proof/consistency?from=13', headers: admin })
    ).json();
    expect(c).toMatchObject({ from: 13, to: 17, fromRoot: cp.rootHash });
    const proof = c.proof.map((h: string) => Buffer.from(h, 'hex'));
    expect(verifyConsistency(13, 17, Buffer.from(c.fromRoot, 'hex'), Buffer.from(c.toRoot, 'hex'), proof)).toBe(true);

    const bad = await t.app.inject({ method: 'GET', url: '/api/audit/proof/inclusion?seq=17', headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/17/);
    const tooBig = await t.app.inject({
      method: 'GET',
      url: '/api/audit/proof/consistency?from=2&to=99',
      headers: admin,
    });
    expect(tooBig.statusCode).toBe(400);
  });

  test('entries archived after retention keep the log valid; a changed archived hash does not', async () => {
    const day = 86_400_000;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/audit/events',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: [400, 400, 1, 400, 1, 1].map((age, i) => ({
        action: 'ban.create',
        resource: 'bans',
        resourceId: `198.51.100.${i}`,
        status: 'success',
        timestamp: new Date(Date.now() - age * day).toISOString(),
      })),
    });
    expect(res.statusCode).toBe(201);
    await t.app.audit.flush();
    const cp = await checkpoint(t);
    const archived = await archiveAuditEntries(t.db, t.app.auditKey, {
      before: new Date(Date.now() - 366 * day),
      out: path.join(tempDir(), 'archive.jsonl'),
      retentionDays: 365,
    });
    expect(archived.archived).toMatchObject({ fromSeq: 0, toSeq: 3, count: 3 });

    expect(await verify(t)).toMatchObject({ valid: true, checked: 6, rootHash: cp.rootHash, checkpointsChecked: 1 });
    await tamper(t, async (tx) => {
      await tx.query("UPDATE audit_log SET hash_current = decode(repeat('00', 32), 'hex') WHERE seq = 1");
    });
    expect((await verify(t)).firstInvalid).toEqual({
      seq: 2,
      reason: 'seq 2: hash_prev does not equal the previous hash',
    });
  });

  test('checkpoint: 404 before the first, viewers cannot sign one', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/audit/checkpoint', headers: admin })).statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/audit/checkpoint', headers: bearer(TEST_TOKENS.viewer) }))
        .statusCode
    ).toBe(403);
    await seed(t, 2);
    const created = await checkpoint(t);
    const again = await checkpoint(t);
    expect(again).toEqual(created); // nothing added: the same head
    expect((await t.app.inject({ method: 'GET', url: '/api/audit/checkpoint', headers: admin })).json()).toEqual(
      created
    );
  });
});
