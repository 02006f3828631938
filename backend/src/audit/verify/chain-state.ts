/** Joining batch results in seq order: the chain across batches, the Merkle frontier, roots at checkpoints. */
import { toHex as hex } from '../hash';
import { emptyRoot, nodeHash } from '../merkle';
import type { BatchResult, SubtreeNode } from './batch';
import type { Failure } from './rows';

export interface BatchInfo {
  firstSeq: number;
  count: number;
  /** Checkpoint sizes inside the batch, absolute. */
  cuts: number[];
}

export class ChainState {
  checked = 0;
  failure: Failure | undefined;
  /** hash_current of the last verified row (latin1). */
  prev: string;
  /** Recomputed root at each checkpoint size. */
  readonly rootsAt = new Map<number, string>();
  /** Roots of the perfect subtrees covering the rows merged so far, largest first. */
  private readonly frontier: { level: number; hash: Buffer }[] = [];

  constructor(
    startPrev: string,
    private readonly whole: boolean,
    checkpointSizes: number[],
    private readonly counts: { archived: number }
  ) {
    this.prev = startPrev;
    if (whole && checkpointSizes.includes(0)) this.rootsAt.set(0, hex(emptyRoot()));
  }

  /** Takes the next batch's result; false once the log is known to be invalid. */
  merge(batch: BatchInfo, result: BatchResult, archiveProblem?: Failure): boolean {
    if (this.failure) return false;
    const { failure } = result;
    if (failure && failure.index === 0 && (failure.code === 'format' || failure.code === 'seq')) {
      return this.fail(failure);
    }
    if (result.firstPrev !== this.prev) {
      return this.fail({
        seq: batch.firstSeq,
        reason: `seq ${batch.firstSeq}: hash_prev does not equal the previous hash`,
      });
    }
    if (archiveProblem && archiveProblem.seq < (failure?.seq ?? Infinity)) {
      this.checked += Math.max(0, archiveProblem.seq - batch.firstSeq);
      return this.fail(archiveProblem);
    }
    if (failure) {
      this.checked += failure.index;
      return this.fail(failure);
    }
    this.checked += result.verified;
    this.counts.archived += result.archived;
    this.prev = result.lastCurrent;
    if (this.whole) {
      batch.cuts.forEach((size, i) => this.rootsAt.set(size, hex(this.rootWith(result.cuts[i] ?? []))));
      for (const node of result.nodes) this.push(node.level, Buffer.from(node.hash, 'binary'));
    }
    return true;
  }

  root(): Buffer {
    return this.rootWith([]);
  }

  private fail(failure: Failure): false {
    this.failure = { seq: failure.seq, reason: failure.reason };
    return false;
  }

  private push(level: number, hash: Buffer): void {
    this.frontier.push({ level, hash });
    for (let n = this.frontier.length; n >= 2 && this.frontier[n - 1]?.level === this.frontier[n - 2]?.level; n--) {
      const right = this.frontier.pop() as { level: number; hash: Buffer };
      const left = this.frontier.pop() as { level: number; hash: Buffer };
      this.frontier.push({ level: left.level + 1, hash: nodeHash(left.hash, right.hash) });
    }
  }

  /** MTH of the merged rows followed by `extra` (perfect subtrees after them): the right fold of all of them. */
  private rootWith(extra: SubtreeNode[]): Buffer {
    const hashes = [...this.frontier.map((n) => n.hash), ...extra.map((n) => Buffer.from(n.hash, 'binary'))];
    let root = hashes.pop();
    if (root === undefined) return emptyRoot();
    for (let i = hashes.length - 1; i >= 0; i--) root = nodeHash(hashes[i] as Buffer, root);
    return root;
  }
}
