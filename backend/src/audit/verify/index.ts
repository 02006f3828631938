/**
 * The integrity check auditors rely on: re-hashes every stored row (never trusting stored hashes), checks seq
 * continuity and the chain, rebuilds the Merkle tree from the leaves, and compares it with every signed checkpoint
 * and with the stored subtrees (docs/audit-format.md, "Verifying").
 *
 * Archived entries (payload cleared after retention, docs/audit-retention.md) cannot be re-hashed: the chain
 * continues from their stored hash_current, their link to the previous entry is still checked, and their stored
 * leaf hashes still go into the tree that signed checkpoints must match. Given their archive files, the archived
 * entries are re-hashed from the files (see readArchive) and must match the stored hashes.
 *
 * Rows travel as tuples of PostgreSQL's binary COPY format: from one `COPY … TO STDOUT` per range of seqs when the
 * database offers `copyTo`, else encoded from pages of SELECT results. They are checked in batches of 2^k rows, on
 * worker threads for large logs while the next rows are read. A batch that starts at a multiple of 2^k leaves is a
 * perfect subtree, so each thread also hashes its part of the Merkle tree and this thread only joins batch roots.
 * Memory stays bounded by the batches in flight.
 */
import { availableParallelism } from 'node:os';
import type { Queryable } from '../../db';
import { checkpointSignatureValid, listCheckpoints, rootAt } from '../checkpoints';
import { toHex as hex } from '../hash';
import type { SigningKey } from '../signing-key';
import { ArchiveMatcher } from './archive-matcher';
import type { BatchResult } from './batch';
import { ChainState, type BatchInfo } from './chain-state';
import { BatchPool } from './pool';
import { BatchMemory, copyBatches, GENESIS, pagedBatches, type CopyToSource, type Failure } from './rows';

export interface VerifyOptions {
  fromSeq?: number;
  toSeq?: number;
  /** Rows per batch, rounded down to a power of two (default 4096). */
  pageSize?: number;
  /** Called after each batch with the rows checked so far and the rows to check. */
  onProgress?: (checked: number, total: number) => void;
  /** Archive files (archiveAuditEntries): their entries are re-hashed and must match the stored hashes. */
  archives?: readonly string[];
  /** Hashing threads besides this one; default: one per CPU (at most 4) for 64k rows or more, else none. */
  threads?: number;
}

export interface VerifyReport {
  valid: boolean;
  checked: number;
  treeSize: number;
  rootHash: string;
  /** Signed checkpoints compared with the recomputed tree (only when the whole log is verified). */
  checkpointsChecked: number;
  firstInvalid?: { seq: number; reason: string };
  /** Checked entries whose payload is archived: linked into the chain and the tree, not re-hashed from the database. */
  archived?: number;
  /** Of those, the entries re-hashed from the archive files given (present when archive files were given). */
  archivedRehashed?: number;
}

export type { CopyToSource } from './rows';

const DEFAULT_BATCH_ROWS = 4096;
const THREADS_FROM_ROWS = 1 << 16;

export async function verifyAuditLog(
  db: Queryable,
  key: Pick<SigningKey, 'publicKey'>,
  options: VerifyOptions = {}
): Promise<VerifyReport> {
  const head = (await db.query<{ tree_size: number; head_hash: Buffer }>('SELECT tree_size, head_hash FROM audit_head'))
    .rows[0];
  const treeSize = head?.tree_size ?? 0;
  const from = Math.max(0, options.fromSeq ?? 0);
  const to = Math.min(options.toSeq ?? treeSize - 1, treeSize - 1);
  const whole = from === 0 && to === treeSize - 1;
  const total = Math.max(0, to - from + 1);
  const checkpoints = whole ? await listCheckpoints(db) : [];
  const counts = { archived: 0 };
  const archives = options.archives?.length ? new ArchiveMatcher(options.archives, key) : undefined;
  const report = (checked: number, rootHash: string, firstInvalid?: Failure, cps = 0): VerifyReport => ({
    valid: firstInvalid === undefined,
    checked,
    treeSize,
    rootHash,
    checkpointsChecked: cps,
    ...(firstInvalid ? { firstInvalid } : {}),
    archived: counts.archived,
    ...(archives ? { archivedRehashed: archives.rehashed } : {}),
  });

  let startPrev = GENESIS;
  if (from > 0 && total > 0) {
    const first = await db.query<{ hash_prev: Buffer }>('SELECT hash_prev FROM audit_log WHERE seq = $1', [from]);
    if (!first.rows[0]) return report(0, '', { seq: from, reason: `entry ${from} is missing` });
    startPrev = Buffer.from(first.rows[0].hash_prev).toString('binary');
  }
  const batchRows = 2 ** Math.floor(Math.log2(Math.max(1, options.pageSize ?? DEFAULT_BATCH_ROWS)));
  const threads = Math.max(0, options.threads ?? (total >= THREADS_FROM_ROWS ? defaultThreads() : 0));
  const memory = new BatchMemory();
  const rows = isCopyToSource(db)
    ? copyBatches(db, from, to, batchRows, memory)
    : pagedBatches(db, from, to, batchRows, memory);
  const sizes = checkpoints.map((c) => c.treeSize);
  const chain = new ChainState(startPrev, whole, sizes, counts);
  const pool = new BatchPool(threads, memory);
  const inFlight: { batch: BatchInfo; result: Promise<BatchResult>; archiveProblem?: Failure }[] = [];
  try {
    reading: for await (const batch of rows) {
      const archiveProblem = await archives?.check(batch);
      const cuts = whole ? sizes.filter((s) => s > batch.firstSeq && s <= batch.firstSeq + batch.count) : [];
      const job = {
        firstSeq: batch.firstSeq,
        count: batch.count,
        tree: whole,
        cuts: cuts.map((s) => s - batch.firstSeq),
      };
      const result = pool.run(job, batch.buf);
      result.catch(() => undefined); // awaited in order below; this only keeps an abandoned one from going unhandled
      inFlight.push({ batch: { firstSeq: batch.firstSeq, count: batch.count, cuts }, result, archiveProblem });
      while (inFlight.length > Math.max(1, threads * 2)) {
        const next = inFlight.shift() as (typeof inFlight)[number];
        if (!chain.merge(next.batch, await next.result, next.archiveProblem)) break reading;
        options.onProgress?.(chain.checked, total);
      }
    }
    for (const next of chain.failure ? [] : inFlight.splice(0)) {
      if (!chain.merge(next.batch, await next.result, next.archiveProblem)) break;
      options.onProgress?.(chain.checked, total);
    }
  } finally {
    await pool.close();
    if (chain.failure) await archives?.close();
  }

  if (chain.failure) return report(chain.checked, '', chain.failure);
  if (chain.checked < total) {
    return report(chain.checked, '', {
      seq: from + chain.checked,
      reason: `entries ${from + chain.checked}..${to} are missing (the head says ${treeSize} entries)`,
    });
  }
  const archiveProblem = await archives?.finish(whole ? treeSize : Infinity);
  if (archiveProblem) return report(chain.checked, '', archiveProblem);
  if (!whole) return report(chain.checked, hex(await rootAt(db, to + 1)));

  const root = hex(chain.root());
  if (treeSize > 0 && head && Buffer.from(chain.prev, 'binary').toString('hex') !== hex(head.head_hash)) {
    return report(chain.checked, root, {
      seq: treeSize - 1,
      reason: 'the recorded head hash does not match the last entry',
    });
  }
  // Checkpoints in size order: the first that does not match bounds where history was rewritten.
  let matchedUpTo = 0;
  for (const [i, cp] of checkpoints.entries()) {
    const problem =
      cp.treeSize > treeSize
        ? `signed checkpoint of ${cp.treeSize} entries, but only ${treeSize} are stored: entries were removed`
        : !checkpointSignatureValid(cp, key)
          ? `checkpoint of ${cp.treeSize} entries has an invalid signature (or another signing key, ${cp.keyFingerprint})`
          : chain.rootsAt.get(cp.treeSize) !== cp.rootHash
            ? `entries before the signed checkpoint of ${cp.treeSize} entries were rewritten: the recomputed root differs`
            : undefined;
    if (problem) {
      const seq = Math.min(matchedUpTo, Math.max(0, treeSize - 1));
      return report(chain.checked, root, { seq, reason: problem }, i + 1);
    }
    matchedUpTo = cp.treeSize;
  }
  if (hex(await rootAt(db, treeSize)) !== root) {
    return report(
      chain.checked,
      root,
      { seq: 0, reason: 'the stored Merkle subtrees do not match the entries' },
      checkpoints.length
    );
  }
  return report(chain.checked, root, undefined, checkpoints.length);
}

function isCopyToSource(db: Queryable): db is Queryable & CopyToSource {
  return typeof (db as Partial<CopyToSource>).copyTo === 'function';
}

function defaultThreads(): number {
  return Math.min(4, availableParallelism());
}
