/**
 * Retention archive (docs/audit-retention.md): entries older than the retention period are written to a signed
 * JSONL file, and only once that file is on disk is their payload cleared in the database, in one transaction
 * the WORM trigger allows because every hash stays. Chain, Merkle tree, checkpoints and proofs remain verifiable;
 * the file lets anyone re-hash the cleared entries later, offline or with `verifyAuditLog({ archives })`.
 *
 * A run is recorded in `audit_archives` before its file is written and marked applied in the transaction that
 * clears the payloads: a run interrupted anywhere in between is found and finished by the next one.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Database, Queryable } from '../db';
import type { AuditEventDetail } from '../schemas/audit-read';
import { canonicalBytes } from './canonical-json';
import { chainHash } from './chain';
import { publicKeyFingerprint } from './checkpoint';
import { isHashHex } from './hash';
import { leafHash } from './merkle';
import type { SigningKey } from './signing-key';

/** The last line of an archive file. `signature` is Ed25519 over the RFC 8785 bytes of every other member. */
export interface ArchiveTrailer {
  type: 'archive';
  fromSeq: number;
  toSeq: number;
  count: number;
  /** SHA-256 (hex) of every byte before the trailer line: the entry lines with their newlines. */
  fileSha256: string;
  createdAt: string;
  keyFingerprint: string;
  signature: string;
}

/** One archived entry as a verifier needs it (hashes in hex), after its own hashes were recomputed. */
export interface ArchivedHashes {
  seq: number;
  leafHash: string;
  hashPrev: string;
  hashCurrent: string;
}

export interface ArchiveOptions {
  /** Archive entries whose timestamp is before this instant; it must itself be past the retention period. */
  before: Date;
  /** The archive file to create; it must not exist yet. */
  out: string;
  retentionDays: number;
  /** Only report what would be archived. */
  dryRun?: boolean;
  /** Called while the file is written with the entries written so far and the entries to write. */
  onProgress?: (written: number, total: number) => void;
  now?: () => Date;
}

export interface ArchiveRun {
  file: string;
  fromSeq: number;
  toSeq: number;
  count: number;
  /** Absent for a dry run. */
  fileSha256?: string;
}

export interface ArchiveResult {
  dryRun: boolean;
  /** The run asked for; undefined when no entry is past `before` and not yet archived. */
  archived?: ArchiveRun;
  /** An interrupted earlier run, finished (or, in a dry run, to be finished) before this one. */
  resumed?: ArchiveRun;
}

/** A refused or failed archive run; nothing was cleared. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

/** An archive file that does not verify: where, and why. */
export class ArchiveFileError extends Error {
  override name = 'ArchiveFileError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
    readonly seq?: number
  ) {
    super(`${file}, line ${line}: ${reason}`);
  }
}

const DAY_MS = 86_400_000;
/** What PostgreSQL reports for a refused change (the append-only trigger raises it too). */
const INSUFFICIENT_PRIVILEGE = '42501';

/** Makes the retention the WORM trigger enforces equal to the configured one. */
export async function syncRetentionDays(db: Queryable, retentionDays: number): Promise<void> {
  await db.query('UPDATE audit_settings SET retention_days = $1 WHERE retention_days IS DISTINCT FROM $1', [
    retentionDays,
  ]);
}

interface RunRow {
  id: number;
  file: string;
  before: Date;
  from_seq: number;
  to_seq: number;
  entry_count: number;
}

/**
 * Archives the entries before `options.before` that are past retention and not archived yet, in seq order:
 * writes and fsyncs the signed file, then clears exactly those rows in one transaction. An interrupted earlier
 * run is finished first.
 */
export async function archiveAuditEntries(
  db: Database,
  key: SigningKey,
  options: ArchiveOptions
): Promise<ArchiveResult> {
  const now = (options.now ?? (() => new Date()))();
  if (!Number.isInteger(options.retentionDays) || options.retentionDays < 1) {
    throw new ArchiveError(`the retention period must be a whole number of days (got ${options.retentionDays})`);
  }
  const cutoff = new Date(now.getTime() - options.retentionDays * DAY_MS);
  if (Number.isNaN(options.before.getTime())) throw new ArchiveError('the archive bound is not a valid date');
  if (options.before > cutoff) {
    throw new ArchiveError(
      `${options.before.toISOString()} is within the retention period of ${options.retentionDays} days: ` +
        `only entries before ${cutoff.toISOString()} may be archived`
    );
  }
  const dryRun = options.dryRun === true;
  const out = path.resolve(options.out);
  const pending = await pendingRun(db);
  const result: ArchiveResult = { dryRun };
  if (pending) result.resumed = dryRun ? summary(pending) : await finishRun(db, key, pending, options);

  // The database's clock decides what is past retention, as the trigger does; never more than asked for. The bound
  // is kept in milliseconds, so that it reads back as the same JavaScript Date when the run is written and applied.
  // A dry run leaves out the entries of the interrupted run it reports (a real run has archived them by now).
  const skip = dryRun && pending ? [pending.from_seq, pending.to_seq, pending.before] : [-1, -1, new Date(0)];
  const plan = await db.query<{ bound: Date; from_seq: number | null; to_seq: number | null; n: number }>(
    `WITH b AS (SELECT date_trunc('milliseconds', least($1::timestamptz, now() - make_interval(days => $2))) AS bound)
     SELECT b.bound, min(seq) AS from_seq, max(seq) AS to_seq, count(seq)::int8 AS n
       FROM b LEFT JOIN audit_log ON "timestamp" < b.bound AND archived_at IS NULL
                               AND NOT (seq BETWEEN $3 AND $4 AND "timestamp" < $5)
      GROUP BY b.bound`,
    [options.before.toISOString(), options.retentionDays, ...skip]
  );
  const row = plan.rows[0];
  if (!row || row.n === 0 || row.from_seq === null || row.to_seq === null) return result;
  const planned = { file: out, fromSeq: row.from_seq, toSeq: row.to_seq, count: row.n };
  if (dryRun) return { ...result, archived: planned };

  if (await exists(out)) throw new ArchiveError(`${out} already exists: archives are never overwritten`);
  let run: RunRow;
  try {
    const inserted = await db.query<RunRow>(
      `INSERT INTO audit_archives (file, before, from_seq, to_seq, entry_count) VALUES ($1, $2, $3, $4, $5)
       RETURNING id, file, before, from_seq, to_seq, entry_count`,
      [out, row.bound, row.from_seq, row.to_seq, row.n]
    );
    run = inserted.rows[0] as RunRow;
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      throw new ArchiveError('another archive run is in progress; run again once it has finished');
    }
    throw err;
  }
  return { ...result, archived: await finishRun(db, key, run, options) };
}

function summary(run: RunRow, fileSha256?: string): ArchiveRun {
  return {
    file: run.file,
    fromSeq: run.from_seq,
    toSeq: run.to_seq,
    count: run.entry_count,
    ...(fileSha256 ? { fileSha256 } : {}),
  };
}

async function pendingRun(db: Queryable): Promise<RunRow | undefined> {
  const rows = await db.query<RunRow>(
    'SELECT id, file, before, from_seq, to_seq, entry_count FROM audit_archives WHERE applied_at IS NULL'
  );
  return rows.rows[0];
}

/** Writes the run's file (or takes the complete one an interrupted run left), then clears its rows. */
async function finishRun(db: Database, key: SigningKey, run: RunRow, options: ArchiveOptions): Promise<ArchiveRun> {
  let trailer: ArchiveTrailer;
  if (await exists(run.file)) {
    try {
      trailer = await verifyArchiveFile(run.file, key);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new ArchiveError(
        `${run.file} exists but is not the complete archive of the interrupted run (${reason}); move it away and run again`
      );
    }
    if (trailer.fromSeq !== run.from_seq || trailer.toSeq !== run.to_seq || trailer.count !== run.entry_count) {
      throw new ArchiveError(`${run.file} is an archive of other entries than the interrupted run; move it away`);
    }
  } else {
    trailer = await writeArchiveFile(db, key, run, options);
  }
  await db.transaction(async (tx) => {
    const locked = await tx.query<{ applied: boolean }>(
      'SELECT applied_at IS NOT NULL AS applied FROM audit_archives WHERE id = $1 FOR UPDATE',
      [run.id]
    );
    if (locked.rows[0]?.applied !== false) return; // finished by a concurrent run meanwhile
    await syncRetentionDays(tx, options.retentionDays);
    const cleared = await tx
      .query(
        `UPDATE audit_log SET canonical = NULL, query = NULL, body = NULL, metadata = NULL, user_agent = NULL,
                error_message = NULL, ip_address = NULL, user_id = NULL, username = NULL, path = NULL,
                resource_id = NULL, archived_at = now()
          WHERE seq BETWEEN $1 AND $2 AND "timestamp" < $3 AND archived_at IS NULL`,
        [run.from_seq, run.to_seq, run.before]
      )
      .catch((err: unknown) => {
        if ((err as { code?: string }).code !== INSUFFICIENT_PRIVILEGE) throw err;
        throw new ArchiveError(
          `the database refused to clear the entries of ${run.file} (${(err as Error).message}): archiving needs ` +
            `the owner of audit_log, and entries before ${run.before.toISOString()} past a retention of ` +
            `${options.retentionDays} days`
        );
      });
    if (cleared.rowCount !== run.entry_count) {
      throw new ArchiveError(
        `${run.file} holds ${run.entry_count} entries but ${cleared.rowCount} rows would be cleared; nothing was changed`
      );
    }
    await tx.query(
      `UPDATE audit_archives SET file_sha256 = $2, signature = $3, key_fingerprint = $4, applied_at = now()
        WHERE id = $1`,
      [run.id, trailer.fileSha256, trailer.signature, trailer.keyFingerprint]
    );
  });
  return summary(run, trailer.fileSha256);
}

// The export's entry shape (AuditEventDetail, see audit/query.ts), so the same tools read both.
const UTC = `"timestamp" AT TIME ZONE 'UTC'`;
const ENTRY_COLUMNS = `seq, id::text AS id, to_char(${UTC}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "timestamp",
  user_id AS "userId", username, action, resource, resource_id AS "resourceId", method, path, query, body,
  host(ip_address) AS ip, user_agent AS "userAgent", status, status_code AS "statusCode",
  response_time AS "responseTime", error_message AS "errorMessage", metadata, encode(leaf_hash, 'hex') AS "leafHash",
  encode(hash_prev, 'hex') AS "hashPrev", encode(hash_current, 'hex') AS "hashCurrent",
  archived_at IS NOT NULL AS archived, canonical`;
const PAGE_ROWS = 2000;
const FLUSH_BYTES = 1 << 20;

/**
 * Writes the run's entries and the signed trailer to `<file>.partial`, fsyncs it, and only then gives it its
 * name (a hard link, which never replaces an existing file) and fsyncs the folder.
 */
async function writeArchiveFile(
  db: Queryable,
  key: SigningKey,
  run: RunRow,
  options: ArchiveOptions
): Promise<ArchiveTrailer> {
  await mkdir(path.dirname(run.file), { recursive: true, mode: 0o700 });
  const partial = `${run.file}.partial`;
  const handle = await open(partial, 'w', 0o600);
  const digest = createHash('sha256');
  let count = 0;
  let trailer: ArchiveTrailer;
  try {
    let text = '';
    const flush = async (): Promise<void> => {
      const bytes = Buffer.from(text, 'utf8');
      digest.update(bytes);
      await handle.write(bytes);
      text = '';
    };
    for (let after = run.from_seq - 1; ;) {
      const page = await db.query<Omit<AuditEventDetail, 'canonical'> & { canonical: Uint8Array | null }>(
        `SELECT ${ENTRY_COLUMNS} FROM audit_log
          WHERE seq > $1 AND seq <= $2 AND "timestamp" < $3 AND archived_at IS NULL ORDER BY seq LIMIT $4`,
        [after, run.to_seq, run.before, PAGE_ROWS]
      );
      for (const { canonical, ...rest } of page.rows) {
        if (canonical === null) throw new ArchiveError(`entry ${rest.seq} has no payload but is not archived`);
        const entry: AuditEventDetail = { ...rest, canonical: Buffer.from(canonical).toString('base64') };
        text += `${JSON.stringify(entry)}\n`;
        count += 1;
        if (text.length >= FLUSH_BYTES) await flush();
      }
      options.onProgress?.(count, run.entry_count);
      if (page.rows.length < PAGE_ROWS) break;
      after = (page.rows[page.rows.length - 1] as { seq: number }).seq;
    }
    await flush();
    if (count !== run.entry_count) {
      throw new ArchiveError(`expected ${run.entry_count} entries to archive, found ${count}; nothing was changed`);
    }
    trailer = signTrailer(
      {
        type: 'archive',
        fromSeq: run.from_seq,
        toSeq: run.to_seq,
        count,
        fileSha256: digest.digest('hex'),
        createdAt: (options.now ?? (() => new Date()))().toISOString(),
        keyFingerprint: key.fingerprint,
      },
      key.privateKey
    );
    await handle.write(`${JSON.stringify(trailer)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(partial, run.file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ArchiveError(`${run.file} appeared while the archive was written; it was left as ${partial}`);
    }
    throw err;
  }
  await unlink(partial);
  await syncFolder(path.dirname(run.file));
  return trailer;
}

/** Makes a new name (and a removed one) durable: fsync of the folder that holds it. */
async function syncFolder(folder: string): Promise<void> {
  const dir = await open(folder, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

type UnsignedTrailer = Omit<ArchiveTrailer, 'signature'>;

/** The exact bytes that are signed: the RFC 8785 canonical JSON of the trailer without `signature`. */
export function trailerBytes(trailer: UnsignedTrailer): Buffer {
  const { type, fromSeq, toSeq, count, fileSha256, createdAt, keyFingerprint } = trailer;
  return canonicalBytes({ type, fromSeq, toSeq, count, fileSha256, createdAt, keyFingerprint });
}

export function signTrailer(trailer: UnsignedTrailer, privateKey: KeyObject): ArchiveTrailer {
  return { ...trailer, signature: sign(null, trailerBytes(trailer), privateKey).toString('base64') };
}

/** Why a parsed trailer line is not a well-formed, correctly signed trailer for `publicKey`; undefined if it is. */
function trailerProblem(value: unknown, publicKey: KeyObject): string | undefined {
  if (typeof value !== 'object' || value === null) return 'the last line is not an archive trailer';
  const t = value as Partial<Record<keyof ArchiveTrailer, unknown>>;
  if (t.type !== 'archive') return 'the last line is not an archive trailer';
  const counts = [t.fromSeq, t.toSeq, t.count];
  if (!counts.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) return 'the trailer counts are not integers';
  if (!isHashHex(t.fileSha256)) return 'the trailer fileSha256 is not a SHA-256 in hex';
  if (typeof t.createdAt !== 'string' || typeof t.keyFingerprint !== 'string' || typeof t.signature !== 'string') {
    return 'the trailer is incomplete';
  }
  const fingerprint = publicKeyFingerprint(publicKey);
  if (t.keyFingerprint !== fingerprint) {
    return `the archive is signed by another key (${t.keyFingerprint}, expected ${fingerprint})`;
  }
  const signature = Buffer.from(t.signature, 'base64');
  if (signature.length !== 64 || !verify(null, trailerBytes(t as ArchiveTrailer), publicKey, signature)) {
    return 'the trailer signature is invalid';
  }
  return undefined;
}

/**
 * Reads an archive file and checks everything it can prove on its own: each entry's leaf and chain hashes
 * recomputed from its canonical bytes, the links between consecutive seqs, the file hash, and the trailer's
 * signature by `key`. Yields the verified entries in file order; returns the trailer (nothing when stopped early);
 * throws ArchiveFileError.
 */
export async function* readArchive(
  file: string,
  key: Pick<SigningKey, 'publicKey'>
): AsyncGenerator<ArchivedHashes, ArchiveTrailer | undefined> {
  const digest = createHash('sha256');
  let held: Buffer | undefined; // the last complete line: the trailer if nothing follows it
  let lineNo = 0;
  let previous: ArchivedHashes | undefined;
  let first: number | undefined;
  let count = 0;
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file)) {
    let data = rest.length > 0 ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10)) {
      const line = data.subarray(0, nl + 1);
      data = data.subarray(nl + 1);
      if (held) {
        digest.update(held);
        lineNo += 1;
        const entry = checkEntryLine(file, lineNo, held, previous);
        first ??= entry.seq;
        count += 1;
        previous = entry;
        yield entry;
      }
      held = Buffer.from(line);
    }
    rest = data;
  }
  // Problems of the whole file are located at its first entry.
  const fail = (line: number, reason: string) => new ArchiveFileError(file, line, reason, first);
  if (rest.length > 0) throw fail(lineNo + 2, 'the file does not end with a newline');
  if (!held) throw fail(1, 'the file is empty');
  let trailer: unknown;
  try {
    trailer = JSON.parse(held.toString('utf8'));
  } catch {
    throw fail(lineNo + 1, 'the last line is not an archive trailer');
  }
  const problem = trailerProblem(trailer, key.publicKey);
  if (problem) throw fail(lineNo + 1, problem);
  const t = trailer as ArchiveTrailer;
  if (t.fileSha256 !== digest.digest('hex')) {
    throw fail(lineNo + 1, 'the file hash does not match its entries: the file was changed');
  }
  if (t.count !== count || (count > 0 && (t.fromSeq !== first || t.toSeq !== previous?.seq))) {
    throw fail(lineNo + 1, 'the trailer does not describe the entries of the file');
  }
  return t;
}

/** One entry line: re-hashed from its canonical bytes, and linked to the previous entry when seqs are adjacent. */
function checkEntryLine(file: string, lineNo: number, line: Buffer, previous?: ArchivedHashes): ArchivedHashes {
  const fail = (reason: string, seq?: number): never => {
    throw new ArchiveFileError(file, lineNo, reason, seq);
  };
  let value: Partial<Record<keyof AuditEventDetail, unknown>>;
  try {
    value = JSON.parse(line.toString('utf8')) as typeof value;
  } catch {
    return fail('not a JSON line');
  }
  const { seq, leafHash: leaf, hashPrev, hashCurrent, canonical } = value;
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) return fail('seq is not a non-negative integer');
  const at = seq as number;
  if (!isHashHex(leaf) || !isHashHex(hashPrev) || !isHashHex(hashCurrent))
    return fail('a hash is not 64 hex digits', at);
  if (typeof canonical !== 'string' || canonical === '') return fail('the entry has no canonical bytes', at);
  if (previous && at <= previous.seq) return fail(`seq ${at} does not follow seq ${previous.seq}`, at);
  const bytes = Buffer.from(canonical, 'base64');
  if (leafHash(bytes).toString('hex') !== leaf) return fail(`seq ${at}: leafHash does not match the entry`, at);
  if (chainHash(hashPrev, bytes) !== hashCurrent) return fail(`seq ${at}: hashCurrent does not match the entry`, at);
  if (previous && previous.seq === at - 1 && previous.hashCurrent !== hashPrev) {
    return fail(`seq ${at}: hashPrev does not equal the hashCurrent of seq ${previous.seq}`, at);
  }
  return { seq: at, leafHash: leaf, hashPrev, hashCurrent };
}

/** Offline check of one archive file (see readArchive): its trailer when valid, else throws ArchiveFileError. */
export async function verifyArchiveFile(file: string, key: Pick<SigningKey, 'publicKey'>): Promise<ArchiveTrailer> {
  const entries = readArchive(file, key);
  for (;;) {
    const next = await entries.next();
    if (next.done) return next.value as ArchiveTrailer; // read to its end, so it returned the trailer
  }
}

/** The entries of several archive files merged in ascending seq (each file is in seq order), with their file. */
export async function* mergeArchives(
  files: readonly string[],
  key: Pick<SigningKey, 'publicKey'>
): AsyncGenerator<ArchivedHashes & { file: string }> {
  const heads = await Promise.all(
    files.map(async (file) => {
      const entries = readArchive(file, key);
      return { file, entries, next: await entries.next() };
    })
  );
  try {
    for (;;) {
      let best: (typeof heads)[number] | undefined;
      for (const head of heads) {
        if (head.next.done) continue;
        if (!best || head.next.value.seq < (best.next.value as ArchivedHashes).seq) best = head;
      }
      if (!best) return;
      yield { ...(best.next.value as ArchivedHashes), file: best.file };
      best.next = await best.entries.next();
    }
  } finally {
    // Closes the files of archives not read to their end (when the caller stops early or one is invalid).
    await Promise.all(heads.map((head) => head.entries.return(undefined)));
  }
}
