import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { chainHash, DEFAULT_REDACTED_FIELDS } from '../src/audit';
import { archiveAuditEntries } from '../src/audit/archive';
import { createCheckpoint } from '../src/audit/checkpoints';
import { resolveSigningKey, type SigningKey } from '../src/audit/signing-key';
import { AuditWriter } from '../src/audit/store';
import { verifyAuditLog, type CopyToSource, type VerifyOptions } from '../src/audit/verify';
import type { Database, Queryable } from '../src/db';
import { migrate } from '../src/db/migrate';
import { auditEvent, tempDir, testDatabases } from './helpers';

const DAY_MS = 86_400_000;
const RETENTION_DAYS = 30;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();
/** Seqs whose entries are old enough to archive: every third one, and 10..13. */
const isOld = (seq: number) => seq % 3 === 0 || (seq >= 10 && seq <= 13);
const SIZE = 37;
const CHECKPOINTS = [5, 16, 23, 37];
const OLD = Array.from({ length: SIZE }, (_, seq) => seq).filter(isOld);

/** What someone with superuser access can do: bypass the WORM triggers for one transaction. */
async function tamper(db: Database, sql: string, params: unknown[] = []): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.exec('SET LOCAL session_replication_role = replica');
    await tx.query(sql, params);
  });
}

/** Verifies with small batches, in this thread and on two hashing threads; both must agree. */
async function verifyBoth(db: Queryable, key: SigningKey, options: VerifyOptions = {}) {
  const inThread = await verifyAuditLog(db, key, { pageSize: 4, threads: 0, ...options });
  const threaded = await verifyAuditLog(db, key, { pageSize: 4, threads: 2, ...options });
  expect(threaded).toEqual(inThread);
  return inThread;
}

/**
 * PostgreSQL's COPY path, as a database offering `copyTo` provides it: pg-copy-streams on a connection of
 * its own, in the schema the test database uses.
 */
function withCopyTo(db: Database, url: string): Queryable & CopyToSource {
  return {
    query: <R>(sql: string, params?: readonly unknown[]) => db.query<R>(sql, params),
    exec: (sql) => db.exec(sql),
    copyFrom: (table, columns, data) => db.copyFrom(table, columns, data),
    async *copyTo(sql: string) {
      const schema = (await db.query<{ schema: string }>('SELECT current_schema() AS schema')).rows[0]?.schema;
      const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
      await client.connect();
      try {
        yield* client.query(copyTo(sql)) as AsyncIterable<Buffer>;
      } finally {
        await client.end();
      }
    },
  };
}

const url = process.env.TEST_DATABASE_URL;
const sources: { name: string; reader: (db: Database) => Queryable }[] = [
  { name: 'pages', reader: (db) => db },
  ...(url ? [{ name: 'COPY', reader: (db: Database) => withCopyTo(db, url) }] : []),
];

describe.each(testDatabases)('verifying a log with archived entries on $name', ({ name, open }) => {
  let db: Database;
  let key: SigningKey;
  let dir: string;
  let archive: string;

  beforeEach(async () => {
    db = await open();
    await migrate(db);
    dir = tempDir();
    key = resolveSigningKey(undefined, dir);
    const writer = new AuditWriter(db, { redactFields: DEFAULT_REDACTED_FIELDS });
    let next = 0;
    for (const size of CHECKPOINTS) {
      const events = [];
      for (; next < size; next++) events.push(auditEvent(next, { timestamp: daysAgo(isOld(next) ? 200 : 1) }));
      await writer.append(events);
      await createCheckpoint(db, key);
    }
    archive = path.join(dir, 'archive.jsonl');
    const result = await archiveAuditEntries(db, key, {
      before: new Date(Date.now() - (RETENTION_DAYS + 1) * DAY_MS),
      out: archive,
      retentionDays: RETENTION_DAYS,
    });
    expect(result.archived?.count).toBe(OLD.length);
  });
  afterEach(async () => {
    await db.close();
  });

  const readers = name === 'postgres' ? sources : sources.slice(0, 1);

  test.each(readers)('verification continues past archived entries ($name)', async ({ reader }) => {
    const latest = (
      await db.query<{ root: Buffer }>(
        'SELECT root_hash AS root FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1'
      )
    ).rows[0];
    const report = await verifyBoth(reader(db), key);
    expect(report).toEqual({
      valid: true,
      checked: SIZE,
      treeSize: SIZE,
      rootHash: Buffer.from(latest?.root as Buffer).toString('hex'),
      checkpointsChecked: CHECKPOINTS.length, // signed before the archive, still matching
      archived: OLD.length,
    });
    expect(await verifyAuditLog(reader(db), key)).toEqual(report); // default batches and threads
    expect(await verifyBoth(reader(db), key, { archives: [archive] })).toMatchObject({
      valid: true,
      archivedRehashed: OLD.length,
    });
    expect(await verifyBoth(reader(db), key, { fromSeq: 8, toSeq: 20 })).toMatchObject({
      valid: true,
      checked: 13,
      archived: OLD.filter((s) => s >= 8 && s <= 20).length,
    });
  });

  test.each(readers)('changed hashes of archived entries are caught ($name)', async ({ reader }) => {
    await tamper(db, "UPDATE audit_log SET hash_current = decode(repeat('ab', 32), 'hex') WHERE seq = 12");
    expect((await verifyBoth(reader(db), key)).firstInvalid).toEqual({
      seq: 13,
      reason: 'seq 13: hash_prev does not equal the previous hash',
    });
  });

  test.each(readers)(
    'a changed leaf hash of an archived entry is caught by the checkpoints ($name)',
    async ({ reader }) => {
      await tamper(db, "UPDATE audit_log SET leaf_hash = decode(repeat('cd', 32), 'hex') WHERE seq = 18");
      const report = await verifyBoth(reader(db), key);
      expect(report.valid).toBe(false);
      expect(report.firstInvalid?.seq).toBe(16); // the checkpoint of 16 entries still matches, the one of 23 does not
      expect(report.firstInvalid?.reason).toMatch(/signed checkpoint of 23 entries were rewritten/);
    }
  );

  test.each(readers)(
    'entries that keep their payload are still re-hashed in every batch ($name)',
    async ({ reader }) => {
      await tamper(
        db,
        "UPDATE audit_log SET canonical = convert_to(replace(convert_from(canonical, 'UTF8'), '/api/bans/34', '/api/bans/99'), 'UTF8') WHERE seq = 34"
      );
      expect((await verifyBoth(reader(db), key)).firstInvalid).toEqual({
        seq: 34,
        reason: 'seq 34: hash_current does not match the entry',
      });
      await tamper(db, 'DELETE FROM audit_log WHERE seq = 21');
      expect((await verifyBoth(reader(db), key)).firstInvalid).toEqual({
        seq: 21,
        reason: 'seq 21 is missing (next row has seq 22)',
      });
    }
  );

  test('an archived entry rewritten with every later hash recomputed is caught by its archive file', async () => {
    // No checkpoint to compare with, and the leaf hashes (so the Merkle tree) untouched: only the archive can tell.
    await tamper(db, 'DELETE FROM audit_checkpoints');
    const rows = (
      await db.query<{ seq: number; canonical: Uint8Array | null; hash_current: Uint8Array }>(
        'SELECT seq, canonical, hash_current FROM audit_log WHERE seq >= 15 ORDER BY seq'
      )
    ).rows;
    let prev = 'ef'.repeat(32); // the new hash_current of the archived seq 15
    await tamper(db, "UPDATE audit_log SET hash_current = decode($1, 'hex') WHERE seq = 15", [prev]);
    for (const row of rows.slice(1)) {
      const current = row.canonical ? chainHash(prev, Buffer.from(row.canonical)) : chainHash(prev, Buffer.alloc(0));
      await tamper(
        db,
        "UPDATE audit_log SET hash_prev = decode($2, 'hex'), hash_current = decode($3, 'hex') WHERE seq = $1",
        [row.seq, prev, current]
      );
      prev = current;
    }
    await tamper(db, "UPDATE audit_head SET head_hash = decode($1, 'hex')", [prev]);

    expect((await verifyBoth(db, key)).valid).toBe(true); // what the database alone can show
    expect((await verifyBoth(db, key, { archives: [archive] })).firstInvalid).toEqual({
      seq: 15,
      reason: `seq 15: the archive ${archive} holds other hashes than the log`,
    });
  });

  test('a changed archive file makes the verification fail', async () => {
    const text = readFileSync(archive, 'utf8');
    writeFileSync(archive, text.replace('"action":"read"', '"action":"none"'));
    const report = await verifyBoth(db, key, { archives: [archive] });
    expect(report.valid).toBe(false);
    expect(report.firstInvalid?.seq).toBe(0);
    expect(report.firstInvalid?.reason).toMatch(/^archive .*archive\.jsonl, line \d+: the file hash does not match/);
  });
});
