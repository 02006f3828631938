/**
 * The record of audit verifications (table audit_verifications): each run, from the API, the CLI or the
 * backend's own schedule, with its range and result. The integrity metrics and the Overview read the latest run
 * over the whole trail, whoever ran it.
 */
import type { Queryable } from '../db';
import type { SigningKey } from './signing-key';
import { verifyAuditLog, type VerifyOptions, type VerifyReport } from './verify';

export type VerificationSource = 'api' | 'cli' | 'schedule';

export interface VerificationRecord {
  id: number;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  source: VerificationSource;
  actor: string | null;
  fromSeq: number;
  toSeq: number | null;
  whole: boolean;
  valid: boolean;
  checked: number;
  treeSize: number;
  rootHash: string | null;
  checkpointsChecked: number;
  archived: number;
  firstInvalid?: { seq: number; reason: string };
}

interface Row {
  id: number;
  started_at: Date;
  finished_at: Date;
  source: VerificationSource;
  actor: string | null;
  from_seq: number;
  to_seq: number | null;
  whole: boolean;
  valid: boolean;
  checked: number;
  tree_size: number;
  root_hash: string | null;
  checkpoints_checked: number;
  archived: number;
  first_invalid_seq: number | null;
  first_invalid_reason: string | null;
}

const COLUMNS = `id, started_at, finished_at, source, actor, from_seq, to_seq, whole, valid, checked, tree_size,
  root_hash, checkpoints_checked, archived, first_invalid_seq, first_invalid_reason`;

function toRecord(row: Row): VerificationRecord {
  return {
    id: row.id,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at.toISOString(),
    durationMs: row.finished_at.getTime() - row.started_at.getTime(),
    source: row.source,
    actor: row.actor,
    fromSeq: row.from_seq,
    toSeq: row.to_seq,
    whole: row.whole,
    valid: row.valid,
    checked: row.checked,
    treeSize: row.tree_size,
    rootHash: row.root_hash,
    checkpointsChecked: row.checkpoints_checked,
    archived: row.archived,
    ...(row.first_invalid_seq !== null
      ? { firstInvalid: { seq: row.first_invalid_seq, reason: row.first_invalid_reason ?? '' } }
      : {}),
  };
}

export interface VerificationRun {
  source: VerificationSource;
  actor?: string;
}

/**
 * Runs verifyAuditLog and records the run. An error while verifying (the database went away) is not a result:
 * nothing is recorded and the error is thrown.
 */
export async function verifyAndRecord(
  db: Queryable,
  key: Pick<SigningKey, 'publicKey'>,
  run: VerificationRun,
  options: VerifyOptions = {}
): Promise<{ report: VerifyReport; record: VerificationRecord }> {
  const startedAt = new Date();
  const report = await verifyAuditLog(db, key, options);
  const record = await recordVerification(db, run, options, report, startedAt, new Date());
  return { report, record };
}

/** Records a finished run. A range that covers the whole trail counts as a whole-trail run. */
export async function recordVerification(
  db: Queryable,
  run: VerificationRun,
  range: Pick<VerifyOptions, 'fromSeq' | 'toSeq'>,
  report: VerifyReport,
  startedAt: Date,
  finishedAt: Date
): Promise<VerificationRecord> {
  const fromSeq = Math.max(0, range.fromSeq ?? 0);
  const toSeq = range.toSeq ?? null;
  const whole = fromSeq === 0 && (toSeq === null || toSeq >= report.treeSize - 1);
  const result = await db.query<Row>(
    `INSERT INTO audit_verifications (started_at, finished_at, source, actor, from_seq, to_seq, whole, valid, checked,
       tree_size, root_hash, checkpoints_checked, archived, first_invalid_seq, first_invalid_reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING ${COLUMNS}`,
    [
      startedAt,
      finishedAt,
      run.source,
      run.actor?.slice(0, 256) ?? null,
      fromSeq,
      toSeq,
      whole,
      report.valid,
      report.checked,
      report.treeSize,
      report.rootHash || null,
      report.checkpointsChecked,
      report.archived ?? 0,
      report.firstInvalid?.seq ?? null,
      report.firstInvalid?.reason.slice(0, 2000) ?? null,
    ]
  );
  return toRecord(result.rows[0] as Row);
}

/** The latest run over the whole trail, or undefined when none was ever recorded. */
export async function latestWholeVerification(db: Queryable): Promise<VerificationRecord | undefined> {
  const result = await db.query<Row>(
    `SELECT ${COLUMNS} FROM audit_verifications WHERE whole ORDER BY finished_at DESC, id DESC LIMIT 1`
  );
  const row = result.rows[0];
  return row ? toRecord(row) : undefined;
}

/** The latest runs, newest first. */
export async function listVerifications(db: Queryable, limit: number): Promise<VerificationRecord[]> {
  const result = await db.query<Row>(
    `SELECT ${COLUMNS} FROM audit_verifications ORDER BY finished_at DESC, id DESC LIMIT $1`,
    [limit]
  );
  return result.rows.map(toRecord);
}
