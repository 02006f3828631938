import type { Database } from '../src/db';
import { migrate } from '../src/db/migrate';
import { ChainVerifier, DEFAULT_REDACTED_FIELDS, merkleRoot, verifyInclusion } from '../src/audit';
import { AuditInputError } from '../src/audit/entry';
import { planInclusion, planRoot } from '../src/audit/merkle-store';
import { AuditWriter, fetchNodes } from '../src/audit/store';
import { createCheckpoint } from '../src/audit/checkpoints';
import { generateSigningKey } from '../src/audit/checkpoint';
import { resolveSigningKey } from '../src/audit/signing-key';
import { auditEvent, testDatabases } from './helpers';

interface StoredRow {
  seq: number;
  canonical: Buffer;
  leaf_hash: Buffer;
  hash_prev: Buffer;
  hash_current: Buffer;
}

const event = auditEvent;

async function readRows(db: Database): Promise<StoredRow[]> {
  return (
    await db.query<StoredRow>('SELECT seq, canonical, leaf_hash, hash_prev, hash_current FROM audit_log ORDER BY seq')
  ).rows;
}

function verify(rows: StoredRow[]) {
  const verifier = new ChainVerifier();
  for (const r of rows) {
    verifier.push({
      seq: r.seq,
      entry: r.canonical,
      leafHash: Buffer.from(r.leaf_hash).toString('hex'),
      hashPrev: Buffer.from(r.hash_prev).toString('hex'),
      hashCurrent: Buffer.from(r.hash_current).toString('hex'),
    });
  }
  return verifier.result();
}

describe.each(testDatabases)('audit store on $name', ({ open }) => {
  let db: Database;
  beforeEach(async () => {
    db = await open();
    await migrate(db);
  });
  afterEach(async () => {
    await db.close();
  });

  test('appends get consecutive seqs, a valid chain and Merkle nodes that prove every entry', async () => {
    const writer = new AuditWriter(db, { redactFields: DEFAULT_REDACTED_FIELDS, maxBatchEntries: 7 });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, r) => writer.append(Array.from({ length: 3 }, (_, i) => event(r * 3 + i))))
    );
    const ranges = results.map((r) => [r.firstSeq, r.lastSeq]).sort((a, b) => (a[0] as number) - (b[0] as number));
    expect(ranges).toEqual(Array.from({ length: 12 }, (_, r) => [r * 3, r * 3 + 2]));

    const rows = await readRows(db);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 36 }, (_, i) => i));
    expect(verify(rows)).toMatchObject({ valid: true, checked: 36 });

    const leaves = rows.map((r) => Buffer.from(r.leaf_hash));
    const rootPlan = planRoot(36);
    const root = rootPlan.assemble(await fetchNodes(db, rootPlan.nodes));
    expect(root.equals(merkleRoot(leaves))).toBe(true);
    for (const seq of [0, 17, 35]) {
      const plan = planInclusion(seq, 36);
      const proof = plan.assemble(await fetchNodes(db, plan.nodes));
      expect(verifyInclusion(seq, 36, leaves[seq] as Buffer, proof, root)).toBe(true);
    }
    const head = await db.query<{ tree_size: number }>('SELECT tree_size FROM audit_head');
    expect(head.rows[0]?.tree_size).toBe(36);
  });

  test('large batches are loaded with COPY: special characters survive, chain and tree verify', async () => {
    const writer = new AuditWriter(db, { redactFields: DEFAULT_REDACTED_FIELDS });
    const odd = 'tab\there, back\\slash, new\nline, cr\r, quote " and \\N';
    const [small, large] = await Promise.all([
      writer.append([event(0)]),
      writer.append(
        Array.from({ length: 300 }, (_, i) => event(i, { username: `${odd} ${i}`, body: { note: odd, token: 'x' } }))
      ),
    ]);
    expect(small).toEqual({ firstSeq: 0, lastSeq: 0, count: 1 });
    expect(large).toEqual({ firstSeq: 1, lastSeq: 300, count: 300 });
    const stored = await db.query<{ username: string; body: unknown }>(
      'SELECT username, body FROM audit_log WHERE seq = 300'
    );
    expect(stored.rows[0]).toEqual({ username: `${odd} 299`, body: { note: odd, token: '***REDACTED***' } });
    const rows = await readRows(db);
    expect(verify(rows)).toMatchObject({ valid: true, checked: 301 });
    const plan = planRoot(301);
    const root = plan.assemble(await fetchNodes(db, plan.nodes));
    expect(root.equals(merkleRoot(rows.map((r) => Buffer.from(r.leaf_hash))))).toBe(true);
  });

  test('checkpoints signed at the same moment all answer with the one stored', async () => {
    const writer = new AuditWriter(db, { redactFields: [] });
    await writer.append([event(1), event(2), event(3)]);
    const key = resolveSigningKey(generateSigningKey().privateKeyPem, '.');
    const signed = await Promise.all(Array.from({ length: 8 }, () => createCheckpoint(db, key)));
    expect(new Set(signed.map((c) => c.signature)).size).toBe(1);
    expect(signed[0]).toMatchObject({ treeSize: 3 });
    const stored = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_checkpoints');
    expect(stored.rows[0]?.n).toBe(1);
  });

  test('checkpoints signed while entries are being appended each hold the root of the size they sign', async () => {
    const writer = new AuditWriter(db, { redactFields: [] });
    const key = resolveSigningKey(generateSigningKey().privateKeyPem, '.');
    const appending = (async () => {
      for (let i = 0; i < 30; i++) {
        await writer.append(Array.from({ length: 1 + (i % 7) * 20 }, (_, j) => event(i * 1000 + j)));
      }
    })();
    const signed = [];
    for (let i = 0; i < 40; i++) {
      signed.push(await createCheckpoint(db, key));
      await new Promise((resolve) => setTimeout(resolve, 5)); // lets the writer have the embedded database too
    }
    await appending;
    const leaves = (await readRows(db)).map((r) => Buffer.from(r.leaf_hash));
    expect(new Set(signed.map((c) => c.treeSize)).size).toBeGreaterThan(1);
    for (const checkpoint of signed) {
      expect(checkpoint.rootHash).toBe(merkleRoot(leaves.slice(0, checkpoint.treeSize)).toString('hex'));
    }
  });

  test('an event id already recorded fails only its own request, not the others of its group commit', async () => {
    const writer = new AuditWriter(db, { redactFields: [] });
    const id = '3f1e2d4c-0000-4000-8000-000000000001';
    await writer.append([event(0, { id })]);
    // While one write is in flight, the next two requests queue up and are written as one batch.
    const inFlight = writer.append([event(1)]);
    const [duplicate, other] = await Promise.allSettled([
      writer.append([event(2, { id })]),
      writer.append([event(3), event(4)]),
    ]);
    await inFlight;
    expect(duplicate.status).toBe('rejected');
    expect((duplicate as PromiseRejectedResult).reason).toBeInstanceOf(AuditInputError);
    expect(other).toEqual({ status: 'fulfilled', value: { firstSeq: 2, lastSeq: 3, count: 2 } });
    expect(verify(await readRows(db))).toMatchObject({ valid: true, checked: 4 });
  });

  test('two writers on one database keep one gap-free chain', async () => {
    const a = new AuditWriter(db, { redactFields: [] });
    const b = new AuditWriter(db, { redactFields: [] });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).append([event(i), event(i, { action: 'write' })]))
    );
    const rows = await readRows(db);
    expect(rows).toHaveLength(40);
    expect(verify(rows)).toMatchObject({ valid: true, checked: 40 });
    const plan = planRoot(40);
    const root = plan.assemble(await fetchNodes(db, plan.nodes));
    expect(root.equals(merkleRoot(rows.map((r) => Buffer.from(r.leaf_hash))))).toBe(true);
  });

  test('secrets are redacted before hashing, at any depth', async () => {
    const writer = new AuditWriter(db, { redactFields: DEFAULT_REDACTED_FIELDS });
    await writer.append([
      event(1, {
        body: { user: 'alice', password: 'hunter2', nested: [{ apiKey: 'k-123', note: 'ok' }] },
        query: { access_token: 't-456' },
        metadata: { Authorization: 'Bearer xyz' },
      }),
    ]);
    const stored = await db.query<{ body: unknown; query: unknown; metadata: unknown; canonical: Buffer }>(
      'SELECT body, query, metadata, canonical FROM audit_log'
    );
    const row = stored.rows[0];
    expect(row?.body).toEqual({
      user: 'alice',
      password: '***REDACTED***',
      nested: [{ apiKey: '***REDACTED***', note: 'ok' }],
    });
    expect(row?.query).toEqual({ access_token: '***REDACTED***' });
    const text = Buffer.from(row?.canonical as Buffer).toString('utf8');
    for (const secret of ['hunter2', 'k-123', 't-456', 'xyz']) expect(text).not.toContain(secret);
  });

  test('invalid input is refused before anything is written', async () => {
    const writer = new AuditWriter(db, { redactFields: [] });
    expect(() => writer.append([event(1), event(2, { ip: '999.1.1.1' })])).toThrow(AuditInputError);
    expect(() => writer.append([event(1, { timestamp: 'yesterday' })])).toThrow(/timestamp/);
    expect((await readRows(db)).length).toBe(0);
  });

  test('history cannot be changed: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const writer = new AuditWriter(db, { redactFields: [] });
    await writer.append([event(1), event(2)]);
    await expect(db.query("UPDATE audit_log SET action = 'forged' WHERE seq = 0")).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_log WHERE seq = 1')).rejects.toThrow(/append-only/);
    await expect(db.exec('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_merkle_nodes')).rejects.toThrow(/append-only/);
    // Archiving-shaped updates are refused for entries still within retention.
    await expect(
      db.query(
        `UPDATE audit_log SET archived_at = now(), canonical = NULL, query = NULL, body = NULL, metadata = NULL,
           user_agent = NULL, error_message = NULL, ip_address = NULL, user_id = NULL, username = NULL,
           path = NULL, resource_id = NULL WHERE seq = 0`
      )
    ).rejects.toThrow(/append-only/);
    expect(verify(await readRows(db))).toMatchObject({ valid: true, checked: 2 });
  });
});
