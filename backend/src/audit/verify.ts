/**
 * The integrity check auditors rely on: re-hashes every stored row (never trusting stored hashes), checks
 * seq continuity and the chain, rebuilds the Merkle tree from the re-hashed leaves, and compares it with every
 * signed checkpoint and with the stored subtrees. Streams rows by seq in pages, so memory stays constant.
 */
import type { Queryable } from '../db';
import { ChainVerifier, type ChainResult } from './chain';
import { checkpointSignatureValid, listCheckpoints, rootAt } from './checkpoints';
import { toHex as hex } from './hash';
import { MerkleTreeBuilder } from './merkle-builder';
import type { SigningKey } from './signing-key';

export interface VerifyOptions {
  fromSeq?: number;
  toSeq?: number;
  pageSize?: number;
  /** Called after each page with the rows checked so far and the rows to check. */
  onProgress?: (checked: number, total: number) => void;
}

export interface VerifyReport {
  valid: boolean;
  checked: number;
  treeSize: number;
  rootHash: string;
  /** Signed checkpoints compared with the recomputed tree (only when the whole log is verified). */
  checkpointsChecked: number;
  firstInvalid?: { seq: number; reason: string };
}

interface Row {
  seq: number;
  canonical: Buffer | null;
  leaf_hash: Buffer;
  hash_prev: Buffer;
  hash_current: Buffer;
}

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
  const pageSize = options.pageSize ?? 10_000;
  const total = Math.max(0, to - from + 1);
  const checkpoints = whole ? await listCheckpoints(db) : [];
  const report = (
    checked: number,
    rootHash: string,
    firstInvalid?: { seq: number; reason: string },
    cps = 0
  ): VerifyReport => ({
    valid: firstInvalid === undefined,
    checked,
    treeSize,
    rootHash,
    checkpointsChecked: cps,
    ...(firstInvalid ? { firstInvalid } : {}),
  });

  let start: { seq: number; hashPrev: string } | undefined;
  if (from > 0 && total > 0) {
    const first = await db.query<{ hash_prev: Buffer }>('SELECT hash_prev FROM audit_log WHERE seq = $1', [from]);
    if (!first.rows[0]) return report(0, '', { seq: from, reason: `entry ${from} is missing` });
    start = { seq: from, hashPrev: hex(first.rows[0].hash_prev) };
  }
  const chain = new ChainVerifier(start);
  const tree = new MerkleTreeBuilder();
  const rootsAt = new Map<number, string>(checkpoints.map((c) => [c.treeSize, '']));
  if (rootsAt.has(0)) rootsAt.set(0, hex(tree.root()));

  let next = from;
  while (next <= to) {
    const page = await db.query<Row>(
      `SELECT seq, canonical, leaf_hash, hash_prev, hash_current FROM audit_log
        WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT $3`,
      [next, to, pageSize]
    );
    if (page.rows.length === 0) break;
    for (const row of page.rows) {
      if (row.canonical === null) {
        return report(chain.result().checked, '', {
          seq: row.seq,
          reason: 'the entry payload is archived; verify it against its archive file',
        });
      }
      if (
        !chain.push({
          seq: row.seq,
          entry: row.canonical,
          leafHash: hex(row.leaf_hash),
          hashPrev: hex(row.hash_prev),
          hashCurrent: hex(row.hash_current),
        })
      ) {
        break;
      }
      if (whole) {
        tree.append(row.leaf_hash); // equal to the re-hashed leaf: the chain verifier just checked it
        if (rootsAt.has(tree.size)) rootsAt.set(tree.size, hex(tree.root()));
      }
    }
    const result = chain.result();
    if (!result.valid) return report(result.checked, '', failure(result));
    next = (page.rows[page.rows.length - 1] as Row).seq + 1;
    options.onProgress?.(result.checked, total);
  }

  const result = chain.result();
  if (!result.valid) return report(result.checked, '', failure(result));
  if (result.checked < total) {
    return report(result.checked, '', {
      seq: from + result.checked,
      reason: `entries ${from + result.checked}..${to} are missing (the head says ${treeSize} entries)`,
    });
  }
  if (!whole) return report(result.checked, hex(await rootAt(db, to + 1)));

  const root = hex(tree.root());
  if (treeSize > 0 && head && result.headHash !== hex(head.head_hash)) {
    return report(result.checked, root, {
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
          : rootsAt.get(cp.treeSize) !== cp.rootHash
            ? `entries before the signed checkpoint of ${cp.treeSize} entries were rewritten: the recomputed root differs`
            : undefined;
    if (problem)
      return report(
        result.checked,
        root,
        { seq: Math.min(matchedUpTo, Math.max(0, treeSize - 1)), reason: problem },
        i + 1
      );
    matchedUpTo = cp.treeSize;
  }
  if (hex(await rootAt(db, treeSize)) !== root) {
    return report(
      result.checked,
      root,
      { seq: 0, reason: 'the stored Merkle subtrees do not match the entries' },
      checkpoints.length
    );
  }
  return report(result.checked, root, undefined, checkpoints.length);
}

function failure(result: Extract<ChainResult, { valid: false }>): { seq: number; reason: string } {
  return { seq: result.firstBadSeq, reason: result.reason };
}
