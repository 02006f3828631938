/**
 * Retention archive (docs/audit-retention.md): entries older than the retention period are written to a signed
 * JSONL file, and only once that file is on disk is their payload cleared in the database, in one transaction
 * the WORM trigger allows because every hash stays. Chain, Merkle tree, checkpoints and proofs remain verifiable;
 * the file lets anyone re-hash the cleared entries later, offline or with `verifyAuditLog({ archives })`.
 *
 * A run is recorded in `audit_archives` before its file is written and marked applied in the transaction that
 * clears the payloads: a run interrupted anywhere in between is found and finished by the next one.
 */
import path from 'node:path';
import type { Database, Queryable } from '../db';
import { verifyArchiveFile, type ArchiveTrailer } from './archive-file';
import { ArchiveError, exists, writeArchiveFile, type RunRow } from './archive-write';
import type { SigningKey } from './signing-key';

export {
  ArchiveFileError,
  mergeArchives,
  readArchive,
  signTrailer,
  trailerBytes,
  verifyArchiveFile,
  type ArchivedHashes,
  type ArchiveTrailer,
} from './archive-file';
export { ArchiveError } from './archive-write';

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

const DAY_MS = 86_400_000;
/** What PostgreSQL reports for a refused change (the append-only trigger raises it too). */
const INSUFFICIENT_PRIVILEGE = '42501';

/** Makes the retention the WORM trigger enforces equal to the configured one. */
export async function syncRetentionDays(db: Queryable, retentionDays: number): Promise<void> {
  await db.query('UPDATE audit_settings SET retention_days = $1 WHERE retention_days IS DISTINCT FROM $1', [
    retentionDays,
  ]);
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
