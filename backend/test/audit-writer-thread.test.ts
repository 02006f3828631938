import { randomBytes } from 'node:crypto';
import { PostgresDatabase } from '../src/db';
import { migrate } from '../src/db/migrate';
import { ChainVerifier, DEFAULT_REDACTED_FIELDS } from '../src/audit';
import { AuditInputError } from '../src/audit/entry';
import { WriterThread } from '../src/audit/writer-thread';
import { auditEvent } from './helpers';

const url = process.env.TEST_DATABASE_URL;
const event = auditEvent;

// The writer thread runs with PostgreSQL only (PGlite cannot be shared across threads).
(url ? describe : describe.skip)('audit writer thread (PostgreSQL)', () => {
  const schema = `test_${randomBytes(6).toString('hex')}`;
  let db: PostgresDatabase;
  let thread: WriterThread;
  const commits: number[] = [];

  beforeAll(async () => {
    db = new PostgresDatabase({ url: url as string, schema, poolMax: 2, statementTimeoutMs: 30_000 });
    await db.exec(`CREATE SCHEMA ${schema}`);
    await migrate(db);
    thread = new WriterThread({
      database: { url: url as string, schema, statementTimeoutMs: 30_000 },
      redactFields: DEFAULT_REDACTED_FIELDS,
      backgroundFlushMs: 50,
      onCommit: (count) => commits.push(count),
    });
    await thread.start();
  }, 30_000);
  afterAll(async () => {
    await thread.close();
    await db.exec(`DROP SCHEMA ${schema} CASCADE`);
    await db.close();
  });

  test('appends in order with consecutive seqs, acknowledged after commit, and reports commits', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, r) => thread.append([event(r * 2), event(r * 2 + 1)]))
    );
    expect(results.map((r) => [r.firstSeq, r.lastSeq])).toEqual(
      Array.from({ length: 10 }, (_, r) => [r * 2, r * 2 + 1])
    );
    const stored = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
    expect(stored.rows[0]?.n).toBe(20);
    expect(commits.reduce((a, b) => a + b, 0)).toBe(20);
  });

  test('invalid input throws in the caller, located by index, and nothing is written', async () => {
    const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
    let thrown: unknown;
    try {
      void thread.append([event(1), event(2, { ip: 'not-an-ip' })]);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AuditInputError);
    expect((thrown as AuditInputError).message).toBe('events[1].ip is not an IPv4 or IPv6 address (got "not-an-ip")');
    await thread.flush();
    const after = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });

  test('a large batch goes through COPY and stays verifiable', async () => {
    const result = await thread.append(
      Array.from({ length: 500 }, (_, i) => event(i, { username: `tab\tand\\backslash\nnewline ${i}` }))
    );
    expect(result.count).toBe(500);
    const row = await db.query<{ username: string }>('SELECT username FROM audit_log WHERE seq = $1', [result.lastSeq]);
    expect(row.rows[0]?.username).toBe('tab\tand\\backslash\nnewline 499');
  });

  test('background entries are written by flush, redacted, timestamped when posted, and keep a valid chain', async () => {
    const posted = Date.now();
    const pending = thread.append([event(99, { body: { password: 'hunter2' } })], { background: true });
    await thread.flush();
    const result = await pending;
    const row = await db.query<{ body: unknown; ts: Date }>(
      'SELECT body, "timestamp" AS ts FROM audit_log WHERE seq = $1',
      [result.firstSeq]
    );
    expect(row.rows[0]?.body).toEqual({ password: '***REDACTED***' });
    expect(Math.abs((row.rows[0]?.ts as Date).getTime() - posted)).toBeLessThan(1000);

    const rows = await db.query<{
      seq: number;
      canonical: Buffer;
      leaf_hash: Buffer;
      hash_prev: Buffer;
      hash_current: Buffer;
    }>('SELECT seq, canonical, leaf_hash, hash_prev, hash_current FROM audit_log ORDER BY seq');
    const verifier = new ChainVerifier();
    for (const r of rows.rows) {
      verifier.push({
        seq: r.seq,
        entry: r.canonical,
        leafHash: r.leaf_hash.toString('hex'),
        hashPrev: r.hash_prev.toString('hex'),
        hashCurrent: r.hash_current.toString('hex'),
      });
    }
    expect(verifier.result()).toMatchObject({ valid: true, checked: rows.rows.length });
  });

  test('background entries are posted together, without a flush, and settle in order with the others', async () => {
    const started = Date.now();
    const background = Array.from({ length: 300 }, (_, i) => thread.append([event(i)], { background: true }));
    const urgent = thread.append([event(1000)]);
    const results = await Promise.all([...background, urgent]);
    // The urgent append posted the waiting background entries with it: they are written first, in order.
    const seqs = results.map((r) => r.firstSeq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(301);
    // Alone, background entries go after backgroundPostMs plus the writer's backgroundFlushMs, no flush needed.
    const alone = await thread.append([event(2000)], { background: true });
    expect(alone.firstSeq).toBe((seqs.at(-1) as number) + 1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('a thread that cannot reach its database fails start with the reason', async () => {
    const broken = new WriterThread({
      database: { url: 'postgresql://postgres@127.0.0.1:1/none', schema, statementTimeoutMs: 1000 },
      redactFields: [],
    });
    await expect(broken.start()).rejects.toThrow(/audit writer thread failed: .*ECONNREFUSED/);
    await broken.close();
  });
});
