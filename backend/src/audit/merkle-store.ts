/**
 * RFC 6962 proofs from stored perfect subtrees. Recomputing PATH or PROOF (RFC 6962 §2.1.1, §2.1.2) from
 * leaves touches O(n) rows; but every element of those proofs is the MTH of a range that splits into at most
 * log2 n perfect subtrees, and a perfect subtree's hash never changes once its last leaf exists. Storing each
 * one when it completes lets the server answer from O(log n) rows fetched in one query. Pure: no I/O here.
 */
import { HASH_BYTES } from './hash';
import { emptyRoot, nodeHash } from './merkle';
import { MerkleTreeBuilder } from './merkle-builder';

/** MTH of the leaves [index·2^level, (index+1)·2^level); level 0 is a leaf hash itself, with index = seq. */
export type NodeId = { level: number; index: number };

/** A level ≥ 1 node completed by an append, ready to be stored next to its leaf. */
export type StoredNode = NodeId & { hash: Buffer };

/** Returns the stored hash of a node, or undefined when it is not stored. */
export type NodeLookup = (id: NodeId) => Uint8Array | undefined;

/** What to fetch (each node once) and how to turn the fetched hashes into the answer. */
export type NodePlan<T> = { nodes: NodeId[]; assemble(fetched: NodeLookup): T };

/** Thrown by `assemble` when a planned node is not available: the store is incomplete, not the request. */
export class MissingNodeError extends Error {
  constructor(readonly node: NodeId) {
    super(`Merkle node ${nodeKey(node)} (level ${node.level}, index ${node.index}) is not stored`);
    this.name = 'MissingNodeError';
  }
}

/** Stable map/cache key of a node: "level:index" in decimal. */
export function nodeKey(id: NodeId): string {
  return `${id.level}:${id.index}`;
}

/**
 * Greedy cover of [start, end) by perfect subtrees: from `start`, take the largest 2^l with start % 2^l = 0
 * that still fits. For the ranges RFC 6962's recursion produces (start is a multiple of a power of two
 * ≥ end − start), the sizes are the set bits of end − start in decreasing order, and the right fold
 * nodeHash(p1, nodeHash(p2, … p_last)) equals MTH(D[start:end]). Induction on the size s: if s is a power of
 * two the range is one node. Otherwise §2.1 splits at k, the largest power of two < s, which is s's top bit:
 * MTH = nodeHash(MTH(D[start:start+k]), MTH(D[start+k:end])); the left part is the greedy first node (start
 * is aligned to k and 2k does not fit), and the right part, of size s − k < k, starts at a multiple of k, so
 * it is again such a range and folds by induction. Other ranges get a valid cover but no MTH meaning.
 */
export function perfectDecomposition(start: number, end: number): NodeId[] {
  checkSize(start, 'range start');
  checkSize(end, 'range end');
  if (start > end) throw new RangeError(`range start ${start} is after range end ${end}`);
  const nodes: NodeId[] = [];
  for (let pos = start; pos < end;) {
    let level = 0;
    let width = 1;
    // Doubling is exact in floating point and `end - pos` never overflows, so this is safe up to 2^53.
    while (pos % (width * 2) === 0 && width * 2 <= end - pos) {
      width *= 2;
      level += 1;
    }
    nodes.push({ level, index: pos / width });
    pos += width;
  }
  return nodes;
}

/** MTH(D[0:treeSize]) (RFC 6962 §2.1): the right fold of the nodes covering [0, treeSize). */
export function planRoot(treeSize: number): NodePlan<Buffer> {
  checkSize(treeSize, 'tree size');
  if (treeSize === 0) return { nodes: [], assemble: () => emptyRoot() };
  return makePlan([[0, treeSize]], (hashes) => hashes[0] as Buffer);
}

/** PATH(index, D[0:treeSize]) of RFC 6962 §2.1.1, from the leaf's sibling up to the root's child. */
export function planInclusion(index: number, treeSize: number): NodePlan<Buffer[]> {
  checkSize(treeSize, 'tree size');
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new RangeError(`leaf index must be a whole number from 0 to 2^53-2, got ${String(index)}`);
  }
  if (index >= treeSize) {
    throw new RangeError(`leaf index ${index} is not in a tree of size ${treeSize} (it must be below the size)`);
  }
  // Walk §2.1.1's recursion top-down, noting the sibling range at each split; PATH lists them bottom-up.
  const siblings: Range[] = [];
  let lo = 0;
  let hi = treeSize;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      siblings.push([lo + k, hi]);
      hi = lo + k;
    } else {
      siblings.push([lo, lo + k]);
      lo += k;
    }
  }
  return makePlan(siblings.reverse(), (hashes) => hashes);
}

/**
 * PROOF(m, D[0:n]) of RFC 6962 §2.1.2 for 0 < m ≤ n; empty when m = n (RFC 9162 §2.1.4). m = 0 is refused,
 * as §2.1.2 defines PROOF only from a non-empty tree (merkle.ts's consistencyProof returns [] for it).
 */
export function planConsistency(m: number, n: number): NodePlan<Buffer[]> {
  checkSize(m, 'old tree size');
  checkSize(n, 'new tree size');
  if (m < 1 || m > n) throw new RangeError(`old tree size ${m} must be at least 1 and at most the new tree size ${n}`);
  // SUBPROOF(m, D[lo:hi], b) top-down. `m` stays absolute: "relative m ≤ k" is m ≤ lo + k.
  const ranges: Range[] = [];
  let lo = 0;
  let hi = n;
  let complete = true;
  while (m !== hi) {
    const k = splitPoint(hi - lo);
    if (m <= lo + k) {
      ranges.push([lo + k, hi]);
      hi = lo + k;
    } else {
      ranges.push([lo, lo + k]);
      lo += k;
      complete = false;
    }
  }
  // SUBPROOF(m, D[m], false) = [MTH(D[m])]: the old tree's last subtree, which comes first in the proof.
  if (!complete) ranges.push([lo, hi]);
  return makePlan(ranges.reverse(), (hashes) => hashes);
}

/**
 * MerkleTreeBuilder that also reports the level ≥ 1 nodes each append completes, so the server can INSERT
 * them in the same transaction as the leaf. Appending leaf number s completes one node per trailing 1 bit of
 * s (the same merges the builder does); each is final, since a perfect subtree has no room for more leaves.
 */
export class MerkleAppender {
  private builder = new MerkleTreeBuilder();

  /** Resumes from a saved `frontier()`; the same caveats as `MerkleTreeBuilder.restore` apply. */
  static restore(size: number, frontier: readonly Uint8Array[]): MerkleAppender {
    const appender = new MerkleAppender();
    appender.builder = MerkleTreeBuilder.restore(size, frontier);
    return appender;
  }

  get size(): number {
    return this.builder.size;
  }

  /**
   * Appends one leaf hash and returns the nodes it completed, lowest level first: leaf number s completes
   * one node per trailing 1 bit of s, the merges the builder makes.
   */
  append(leafHash: Uint8Array): StoredNode[] {
    const oldSize = this.builder.size;
    let width = 1;
    return this.builder.append(leafHash).map((hash, i) => {
      width *= 2;
      return { level: i + 1, index: (oldSize + 1) / width - 1, hash };
    });
  }

  root(): Buffer {
    return this.builder.root();
  }

  /** The hashes of perfectDecomposition(0, size): what to persist for `restore`. */
  frontier(): Buffer[] {
    return this.builder.frontier();
  }
}

type Range = readonly [start: number, end: number];

/** Each answer element is MTH of one RFC-shaped range: fetch its perfect cover, then fold it (see above). */
function makePlan<T>(ranges: readonly Range[], finish: (hashes: Buffer[]) => T): NodePlan<T> {
  const covers = ranges.map(([start, end]) => perfectDecomposition(start, end));
  const unique = new Map<string, NodeId>();
  for (const cover of covers) for (const id of cover) unique.set(nodeKey(id), id);
  const nodes = [...unique.values()];
  return {
    // Copies, so a caller that sorts or edits its list (e.g. to build a query) cannot change what is assembled.
    nodes: nodes.map((id) => ({ ...id })),
    assemble(fetched: NodeLookup): T {
      const hashes = new Map<string, Buffer>();
      for (const id of nodes) hashes.set(nodeKey(id), fetchNode(fetched, id));
      return finish(covers.map((cover) => foldRight(cover.map((id) => hashes.get(nodeKey(id)) as Buffer))));
    },
  };
}

function fetchNode(fetched: NodeLookup, id: NodeId): Buffer {
  const hash = fetched({ ...id });
  if (hash === undefined) throw new MissingNodeError(id);
  if (hash.length !== HASH_BYTES) {
    throw new TypeError(`Merkle node ${nodeKey(id)} has ${hash.length} bytes instead of ${HASH_BYTES}`);
  }
  return Buffer.from(hash);
}

function foldRight(hashes: readonly Buffer[]): Buffer {
  let acc = hashes[hashes.length - 1] as Buffer;
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i] as Buffer, acc);
  return acc;
}

/** Largest power of two strictly below n (n > 1), by doubling so sizes above 2^31 stay exact. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function checkSize(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a whole number from 0 to 2^53-1, got ${String(value)}`);
  }
}
