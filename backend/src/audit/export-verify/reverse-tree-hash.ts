import { emptyRoot, nodeHash } from '../merkle';
import { perfectDecomposition, type NodeId } from '../merkle-store';

/**
 * MTH(D[0:size]) from leaves given last to first, for newest-first exports. The perfect subtrees covering
 * [0, size) are completed right to left (merkle-store.ts), each with a binary-counter stack in which a new
 * node is the left sibling of the one below it; their roots fold right to left as RFC 6962 §2.1 splits.
 */
export class ReverseTreeHash {
  private readonly nodes: NodeId[];
  private stack: { hash: Buffer; level: number }[] = [];
  private folded: Buffer | undefined;
  private done = 0;
  private fed = 0;

  constructor(readonly size: number) {
    this.nodes = perfectDecomposition(0, size).reverse();
  }

  push(leaf: Uint8Array): void {
    if (this.fed >= this.size) throw new RangeError(`a tree of size ${this.size} has no more leaves`);
    let item: { hash: Buffer; level: number } = { hash: Buffer.from(leaf), level: 0 };
    for (let top = this.stack.at(-1); top?.level === item.level; top = this.stack.at(-1)) {
      this.stack.pop();
      item = { hash: nodeHash(item.hash, top.hash), level: item.level + 1 };
    }
    this.stack.push(item);
    this.fed += 1;
    if (this.stack.length === 1 && item.level === this.nodes[this.done]?.level) {
      this.folded = this.folded === undefined ? item.hash : nodeHash(item.hash, this.folded);
      this.stack = [];
      this.done += 1;
    }
  }

  get pushed(): number {
    return this.fed;
  }

  /** The root once all `size` leaves were pushed. */
  root(): Buffer | undefined {
    if (this.fed !== this.size) return undefined;
    return this.folded ?? emptyRoot();
  }
}
