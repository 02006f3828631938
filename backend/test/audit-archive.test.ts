import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { canonicalBytes, chainHash, DEFAULT_REDACTED_FIELDS, leafHash } from '../src/audit';
import {
  archiveAuditEntries,
  ArchiveError,
  ArchiveFileError,
  signTrailer,
  verifyArchiveFile,
  type ArchiveTrailer,
} from '../src/audit/archive';
import { resolveSigningKey, type SigningKey } from '../src/audit/signing-key';
import { AuditWriter } from '../src/audit/store';
import { verifyAuditLog } from '../src/audit/verify';
import { parseBefore, registerArchiveCommand } from '../src/cli/audit-archive';
import { ConfigError } from '../src/config';
import { PgliteDatabase, type Database, type Queryable } from '../src/db';
import { migrate } from '../src/db/migrate';
import { auditEvent, tempDir, testDatabases } from './helpers';

const DAY_MS = 86_400_000;
const RETENTION_DAYS = 30;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);
const BEFORE = daysAgo(RETENTION_DAYS + 1);

interface StoredRow {
  seq: number;
  canonical: Uint8Array | null;
  username: string | null;
  leaf_hash: Uint8Array;
  hash_prev: Uint8Array;
  hash_current: Uint8Array;
  archived: boolean;
}

async function rows(db: Queryable): Promise<StoredRow[]> {
  const result = await db.query<StoredRow>(
    `SELECT seq, canonical, username, leaf_hash, hash_prev, hash_current, archived_at IS NOT NULL AS archived
       FROM audit_log ORDER BY seq`
  );
  return result.rows;
}

const hashes = (r: StoredRow) => [r.leaf_hash, r.hash_prev, r.hash_current].map((h) => Buffer.from(h).toString('hex'));

/** `db` with some methods replaced, as a failing process would see them. */
function failing(db: Database, overrides: Partial<Pick<Database, 'query' | 'transaction'>>): Database {
  return {
    kind: db.kind,
    location: db.location,
    query: overrides.query ?? ((sql, params) => db.query(sql, params)),
    exec: (sql) => db.exec(sql),
    copyFrom: (table, columns, data) => db.copyFrom(table, columns, data),
    transaction: overrides.transaction ?? ((fn) => db.transaction(fn)),
    ping: () => db.ping(),
    close: () => db.close(),
  };
}

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

describe.each(testDatabases)('audit retention archive on $name', ({ open }) => {
  let db: Database;
  let key: SigningKey;
  let dir: string;
  const archive = (out: string, extra: { before?: Date; dryRun?: boolean; db?: Database } = {}) =>
    archiveAuditEntries(extra.db ?? db, key, {
      before: extra.before ?? BEFORE,
      out,
      retentionDays: RETENTION_DAYS,
      dryRun: extra.dryRun,
    });

  /** Appends one entry per age (in days), in order: seq i is `ages[i]` days old. */
  async function seed(ages: number[]): Promise<void> {
    const writer = new AuditWriter(db, { redactFields: DEFAULT_REDACTED_FIELDS });
    const start = (await db.query<{ n: number }>('SELECT tree_size AS n FROM audit_head')).rows[0]?.n ?? 0;
    await writer.append(
      ages.map((age, i) =>
        auditEvent(start + i, { username: `user${start + i}`, timestamp: daysAgo(age).toISOString() })
      )
    );
    await writer.flush();
  }

  beforeEach(async () => {
    db = await open();
    await migrate(db);
    dir = tempDir();
    key = resolveSigningKey(undefined, dir);
  });
  afterEach(async () => {
    await db.close();
  });

  test('archives exactly the entries past retention into a signed file, then clears only their payload', async () => {
    await seed([100, 100, 1, 100, 2, 100]);
    const before = await rows(db);
    const out = path.join(dir, 'archive.jsonl');

    const result = await archive(out);

    expect(result.archived).toMatchObject({ file: out, fromSeq: 0, toSeq: 5, count: 4 });
    const [first, ...rest] = lines(out);
    const entries = [first, ...rest.slice(0, -1)].map((l) => JSON.parse(l as string));
    expect(entries.map((e) => e.seq)).toEqual([0, 1, 3, 5]);
    for (const e of entries) {
      const original = before[e.seq] as StoredRow;
      expect(Buffer.from(e.canonical, 'base64')).toEqual(Buffer.from(original.canonical as Uint8Array));
      expect([e.leafHash, e.hashPrev, e.hashCurrent]).toEqual(hashes(original));
      expect(e).toMatchObject({ username: `user${e.seq}`, archived: false, action: 'read' });
    }
    const trailer = JSON.parse(rest[rest.length - 1] as string) as ArchiveTrailer;
    expect(trailer).toMatchObject({ type: 'archive', fromSeq: 0, toSeq: 5, count: 4, keyFingerprint: key.fingerprint });
    expect(trailer.fileSha256).toBe(result.archived?.fileSha256);
    await expect(verifyArchiveFile(out, key)).resolves.toEqual(trailer);

    const after = await rows(db);
    for (const row of after) {
      const archived = [0, 1, 3, 5].includes(row.seq);
      expect(row.archived).toBe(archived);
      expect(row.canonical === null).toBe(archived);
      expect(row.username).toBe(archived ? null : `user${row.seq}`);
      expect(hashes(row)).toEqual(hashes(before[row.seq] as StoredRow)); // every hash stays
    }
    const settings = await db.query<{ retention_days: number }>('SELECT retention_days FROM audit_settings');
    expect(settings.rows[0]?.retention_days).toBe(RETENTION_DAYS); // synced from the configuration

    await expect(verifyAuditLog(db, key)).resolves.toMatchObject({ valid: true, checked: 6, archived: 4 });
    await expect(verifyAuditLog(db, key, { archives: [out] })).resolves.toMatchObject({
      valid: true,
      archived: 4,
      archivedRehashed: 4,
    });
  });

  test('refuses a bound inside the retention period, and names the period', async () => {
    await seed([100, 1]);
    const out = path.join(dir, 'archive.jsonl');
    const attempt = archive(out, { before: daysAgo(RETENTION_DAYS - 1) });
    await expect(attempt).rejects.toThrow(ArchiveError);
    await expect(attempt).rejects.toThrow(/within the retention period of 30 days/);
    expect(existsSync(out)).toBe(false);
    expect((await rows(db)).every((r) => !r.archived)).toBe(true);
  });

  test('a dry run reports the entries and changes nothing', async () => {
    await seed([100, 1, 100]);
    const out = path.join(dir, 'archive.jsonl');
    const result = await archive(out, { dryRun: true });
    expect(result).toEqual({ dryRun: true, archived: { file: out, fromSeq: 0, toSeq: 2, count: 2 } });
    expect(existsSync(out)).toBe(false);
    expect((await rows(db)).every((r) => !r.archived)).toBe(true);
  });

  test('never archives an entry twice, and never overwrites an archive', async () => {
    await seed([100, 100, 1]);
    const first = path.join(dir, 'first.jsonl');
    expect((await archive(first)).archived?.count).toBe(2);

    const second = path.join(dir, 'second.jsonl');
    expect(await archive(second)).toEqual({ dryRun: false });
    expect(existsSync(second)).toBe(false);

    await seed([200]);
    const original = readFileSync(first);
    await expect(archive(first)).rejects.toThrow(/already exists/);
    expect(readFileSync(first)).toEqual(original);
    const third = await archive(second);
    expect(third.archived).toMatchObject({ fromSeq: 3, toSeq: 3, count: 1 });
    const runs = await db.query<{ n: number }>(
      'SELECT count(*)::int8 AS n FROM audit_archives WHERE applied_at IS NOT NULL'
    );
    expect(runs.rows[0]?.n).toBe(2);
  });

  test('a run interrupted after its file was written is finished by the next run', async () => {
    await seed([100, 1, 100]);
    const first = path.join(dir, 'first.jsonl');
    // The transaction that clears the payloads fails, as if the process died between file and update.
    const crashing = failing(db, { transaction: () => Promise.reject(new Error('killed')) });
    await expect(archive(first, { db: crashing })).rejects.toThrow('killed');
    expect(existsSync(first)).toBe(true);
    expect((await rows(db)).some((r) => r.archived)).toBe(false);
    await seed([100]);
    const dry = await archive(path.join(dir, 'dry.jsonl'), { dryRun: true });
    expect(dry.resumed).toMatchObject({ file: first, count: 2 });
    expect(dry.archived).toMatchObject({ fromSeq: 3, toSeq: 3, count: 1 }); // not the interrupted run's entries

    const second = path.join(dir, 'second.jsonl');
    const result = await archive(second);
    expect(result.resumed).toMatchObject({ file: first, fromSeq: 0, toSeq: 2, count: 2 });
    expect(result.archived).toMatchObject({ file: second, fromSeq: 3, toSeq: 3, count: 1 });
    expect((await rows(db)).map((r) => r.archived)).toEqual([true, false, true, true]);
    await expect(verifyAuditLog(db, key, { archives: [first, second] })).resolves.toMatchObject({
      valid: true,
      archivedRehashed: 3,
    });
  });

  test('a pending run the database refuses to apply is reported, and stays pending', async () => {
    await seed([100, 100]);
    const first = path.join(dir, 'first.jsonl');
    const crashing = failing(db, { transaction: () => Promise.reject(new Error('killed')) });
    await expect(archive(first, { db: crashing })).rejects.toThrow('killed');
    // The retention was raised since: the entries of the interrupted run are no longer past it.
    const longer = archiveAuditEntries(db, key, {
      before: daysAgo(400),
      out: path.join(dir, 'x.jsonl'),
      retentionDays: 365,
    });
    await expect(longer).rejects.toThrow(/the database refused to clear the entries of .*first\.jsonl/);
    expect((await rows(db)).some((r) => r.archived)).toBe(false);
    expect((await archive(path.join(dir, 'second.jsonl'))).resumed).toMatchObject({ file: first, count: 2 });
  });

  test('a run interrupted while its file was written writes it again', async () => {
    await seed([100, 100]);
    const out = path.join(dir, 'archive.jsonl');
    let failed = false;
    const crashing = failing(db, {
      query: async <R>(sql: string, params?: readonly unknown[]) => {
        if (!failed && sql.includes('ORDER BY seq LIMIT')) {
          failed = true;
          throw new Error('killed');
        }
        return db.query<R>(sql, params);
      },
    });
    await expect(archive(out, { db: crashing })).rejects.toThrow('killed');
    expect(existsSync(out)).toBe(false); // only the partial file, never a complete-looking one

    const result = await archive(path.join(dir, 'other.jsonl'));
    expect(result.resumed).toMatchObject({ file: out, count: 2 });
    expect(existsSync(`${out}.partial`)).toBe(false);
    await expect(verifyArchiveFile(out, key)).resolves.toMatchObject({ count: 2 });
    expect((await rows(db)).every((r) => r.archived)).toBe(true);
  });

  test('the database refuses an archive update that changes a column it keeps', async () => {
    await seed([3000]); // older than the default retention the trigger enforces (2555 days)
    const clear = `canonical = NULL, query = NULL, body = NULL, metadata = NULL, user_agent = NULL, error_message = NULL,
      ip_address = NULL, user_id = NULL, username = NULL, path = NULL, resource_id = NULL, archived_at = now()`;
    await expect(db.query(`UPDATE audit_log SET ${clear}, status_code = 599 WHERE seq = 0`)).rejects.toThrow(
      /append-only/
    );
    await expect(db.query(`UPDATE audit_log SET ${clear} WHERE seq = 0`)).resolves.toMatchObject({ rowCount: 1 });
  });
});

interface Entry {
  seq: number;
  action: string;
  leafHash: string;
  hashPrev: string;
  hashCurrent: string;
  canonical: string;
}

describe('archive files', () => {
  const dir = tempDir();
  const key = resolveSigningKey(undefined, dir);
  const other = resolveSigningKey(undefined, tempDir());

  /** A valid archive of `n` chained entries from seq `from`, written as archiveAuditEntries writes it. */
  function write(file: string, n: number, from = 0, edit?: (entries: Entry[]) => void): void {
    let prev = '0'.repeat(64);
    const entries: Entry[] = [];
    for (let seq = from; seq < from + n; seq++) {
      const bytes = canonicalBytes({ seq, action: 'read', resource: 'bans' });
      const current = chainHash(prev, bytes);
      entries.push({
        seq,
        action: 'read',
        leafHash: leafHash(bytes).toString('hex'),
        hashPrev: prev,
        hashCurrent: current,
        canonical: bytes.toString('base64'),
      });
      prev = current;
    }
    edit?.(entries);
    const body = entries.map((e) => `${JSON.stringify(e)}\n`).join('');
    const trailer = signTrailer(
      {
        type: 'archive',
        fromSeq: (entries[0] as Entry).seq,
        toSeq: (entries[entries.length - 1] as Entry).seq,
        count: entries.length,
        fileSha256: createHash('sha256').update(body).digest('hex'),
        createdAt: new Date().toISOString(),
        keyFingerprint: key.fingerprint,
      },
      key.privateKey
    );
    writeFileSync(file, `${body}${JSON.stringify(trailer)}\n`);
  }

  const problem = async (file: string, k: Pick<SigningKey, 'publicKey'> = key) => {
    const err = await verifyArchiveFile(file, k).then(
      () => undefined,
      (e: unknown) => e
    );
    expect(err).toBeInstanceOf(ArchiveFileError);
    return (err as ArchiveFileError).message;
  };

  test('a valid file verifies with its key, and not with another', async () => {
    const file = path.join(dir, 'valid.jsonl');
    write(file, 5, 10);
    await expect(verifyArchiveFile(file, key)).resolves.toMatchObject({ fromSeq: 10, toSeq: 14, count: 5 });
    expect(await problem(file, other)).toMatch(/signed by another key/);
  });

  test.each([
    [
      'a changed entry',
      (file: string) =>
        write(file, 4, 0, (e) => {
          (e[2] as Entry).canonical = canonicalBytes({ seq: 2, action: 'x' }).toString('base64');
        }),
      /line 3: seq 2: leafHash does not match the entry/,
    ],
    [
      'an entry re-hashed after another hash_prev',
      (file: string) =>
        write(file, 4, 0, (e) => {
          const entry = e[2] as Entry;
          entry.hashPrev = 'ab'.repeat(32);
          entry.hashCurrent = chainHash(entry.hashPrev, Buffer.from(entry.canonical, 'base64'));
        }),
      /line 3: seq 2: hashPrev does not equal the hashCurrent of seq 1/,
    ],
    [
      'entries out of order',
      (file: string) => write(file, 4, 0, (e) => e.reverse()),
      /line 2: seq 2 does not follow seq 3/,
    ],
  ])('%s is caught at its line', async (_name, make, expected) => {
    const file = path.join(dir, 'bad.jsonl');
    make(file);
    expect(await problem(file)).toMatch(expected);
  });

  test('a line changed or removed, or the trailer changed, after signing is caught', async () => {
    const file = path.join(dir, 'edited.jsonl');
    write(file, 3);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('"action":"read"', '"action":"wipe"')); // not part of the hashed bytes
    expect(await problem(file)).toMatch(/the file hash does not match/);

    const kept = text.split('\n');
    writeFileSync(file, [...kept.slice(0, 1), ...kept.slice(2)].join('\n'));
    expect(await problem(file)).toMatch(/the file hash does not match/);

    write(file, 3);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"count":3', '"count":2'));
    expect(await problem(file)).toMatch(/signature is invalid/);

    write(file, 3);
    writeFileSync(file, readFileSync(file, 'utf8').trimEnd());
    expect(await problem(file)).toMatch(/does not end with a newline/);
  });
});

describe('audit archive command', () => {
  let dataDir: string;
  let stdout: string;
  const saved = ['DATABASE_URL', 'AUDIT_SIGNING_KEY', 'SOAR_CONFIG', 'AUDIT_RETENTION_DAYS'].map(
    (name) => [name, process.env[name]] as const
  );

  /** Runs `cartae-secops audit <args>` in this process; returns the exit code it set. */
  async function run(...args: string[]): Promise<number | undefined> {
    const program = new Command('cartae-secops').exitOverride();
    registerArchiveCommand(program.command('audit'));
    stdout = '';
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += chunk.toString();
      return true;
    });
    const quiet = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await program.parseAsync(['node', 'cartae-secops', 'audit', ...args, '--data-dir', dataDir]);
      return process.exitCode === undefined ? undefined : Number(process.exitCode);
    } finally {
      write.mockRestore();
      quiet.mockRestore();
      process.exitCode = undefined;
    }
  }

  beforeAll(async () => {
    dataDir = path.join(tempDir(), 'data');
    for (const [name] of saved) delete process.env[name];
    process.env.AUDIT_RETENTION_DAYS = String(RETENTION_DAYS);
    resolveSigningKey(undefined, dataDir); // the key the server would have created
    const db = await PgliteDatabase.open({ dataDir, schema: 'public' });
    try {
      await migrate(db);
      const writer = new AuditWriter(db, { redactFields: DEFAULT_REDACTED_FIELDS });
      await writer.append([100, 100, 1].map((age, i) => auditEvent(i, { timestamp: daysAgo(age).toISOString() })));
      await writer.flush();
    } finally {
      await db.close();
    }
  });
  afterAll(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  test('--before takes a UTC date or a date-time with a zone, nothing vaguer', () => {
    expect(parseBefore('2019-01-01')).toEqual(new Date('2019-01-01T00:00:00Z'));
    expect(parseBefore('2019-01-01T02:00:00+02:00')).toEqual(new Date('2019-01-01T00:00:00Z'));
    for (const bad of ['2019-01-01T00:00:00', 'last year', '2019-13-01']) {
      expect(() => parseBefore(bad)).toThrow(ConfigError);
    }
  });

  test('dry run, archive, then offline verification of the file', async () => {
    const before = BEFORE.toISOString();
    expect(await run('archive', '--before', before, '--dry-run')).toBe(0);
    expect(stdout).toMatch(/^would archive 2 entries \(seq 0\.\.1\) to .*archives.*\.jsonl\n$/);

    const out = path.join(dataDir, 'archive.jsonl');
    expect(await run('archive', '--before', before, '--out', out)).toBe(0);
    expect(stdout).toMatch(/^archived 2 entries \(seq 0\.\.1\) to .*archive\.jsonl \(sha256 [0-9a-f]{64}\)/);
    expect(await run('archive', '--before', before, '--out', path.join(dataDir, 'again.jsonl'))).toBe(0);
    expect(stdout).toMatch(/^nothing to archive/);

    expect(await run('verify-archive', out)).toBe(0);
    expect(stdout).toMatch(/^valid: .*archive\.jsonl: 2 entries \(seq 0\.\.1\)/);
    writeFileSync(out, readFileSync(out, 'utf8').replace('"action":"read"', '"action":"gone"'));
    expect(await run('verify-archive', out)).toBe(1);
    expect(stdout).toMatch(/^INVALID: .*the file hash does not match/);

    await expect(run('archive', '--before', 'yesterday')).rejects.toThrow(ConfigError);
    await expect(run('archive', '--before', new Date().toISOString())).rejects.toThrow(/within the retention period/);
  });
});
