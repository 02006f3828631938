/**
 * Incremental RFC 6962 tree head: a "compact range" keeps one perfect-subtree root per set bit of the
 * tree size, so an append costs amortized one hash (at most log2 n) and memory stays O(log n) however
 * many entries there are. The server keeps one next to the chain head instead of re-reading every leaf.
 */
import { HASH_BYTES } from './hash';
import { emptyRoot, nodeHash } from './merkle';

export class MerkleTreeBuilder {
  private treeSize = 0;
  // Roots of the perfect subtrees covering leaves 0..size-1, left (largest) first.
  private readonly subtrees: Buffer[] = [];

  /**
   * Resumes from a saved `frontier()` without replaying leaves. The frontier must hold exactly one hash
   * per set bit of `size`; a wrong frontier is not detectable here, so compare `root()` with a trusted head.
   */
  static restore(size: number, frontier: readonly Uint8Array[]): MerkleTreeBuilder {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`invalid tree size ${size}`);
    if (frontier.length !== countSetBits(size)) {
      throw new RangeError(`a tree of size ${size} has ${countSetBits(size)} frontier hashes, got ${frontier.length}`);
    }
    const builder = new MerkleTreeBuilder();
    for (const hash of frontier) builder.subtrees.push(copyHash(hash));
    builder.treeSize = size;
    return builder;
  }

  get size(): number {
    return this.treeSize;
  }

  /** Appends a leaf; returns the perfect subtree roots this completed (the merges), lowest level first. */
  append(leafHash: Uint8Array): Buffer[] {
    this.subtrees.push(copyHash(leafHash));
    const merged: Buffer[] = [];
    // Each trailing 1 bit of the old size is a subtree of the same height as the one just completed: merge.
    for (let s = this.treeSize; s % 2 === 1; s = Math.floor(s / 2)) {
      const right = this.subtrees.pop() as Buffer;
      const left = this.subtrees.pop() as Buffer;
      const node = nodeHash(left, right);
      this.subtrees.push(node);
      merged.push(node);
    }
    this.treeSize += 1;
    return merged;
  }

  /** MTH of the current size: subtree roots folded right to left, as RFC 6962's split does. */
  root(): Buffer {
    let root = this.subtrees[this.subtrees.length - 1];
    if (root === undefined) return emptyRoot();
    for (let i = this.subtrees.length - 2; i >= 0; i--) root = nodeHash(this.subtrees[i] as Buffer, root);
    return root;
  }

  /** Copies of the subtree roots, for persisting and `restore`. */
  frontier(): Buffer[] {
    return this.subtrees.map((hash) => Buffer.from(hash));
  }
}

function countSetBits(n: number): number {
  let count = 0;
  for (let v = n; v > 0; v = Math.floor(v / 2)) count += v % 2;
  return count;
}

function copyHash(hash: Uint8Array): Buffer {
  if (hash.length !== HASH_BYTES) throw new TypeError(`leaf hash is not ${HASH_BYTES} bytes`);
  return Buffer.from(hash);
}
