/** Checking a batch of rows (see rows.ts): pure, runs on any thread. */
import { hash } from 'node:crypto';
import { AT, HASH_BYTES } from './rows';

export interface BatchJob {
  /** The seq the first row must have. */
  firstSeq: number;
  count: number;
  /** Build the batch's Merkle subtrees (only when the whole log is verified: batches are then aligned). */
  tree: boolean;
  /** Row counts from the batch start whose subtree cover is wanted (checkpoint sizes inside the batch). */
  cuts: number[];
}

export type FailureCode = 'format' | 'seq' | 'prev' | 'hash' | 'leaf';

/** Hashes are latin1 ("binary") strings of 32 characters: cheap to make, compare and post between threads. */
export interface BatchResult {
  /** Rows that verified, from the first. */
  verified: number;
  /** Of those, rows without payload. */
  archived: number;
  /** hash_prev of the first row; '' when it could not be read. */
  firstPrev: string;
  lastCurrent: string;
  failure?: { index: number; seq: number; code: FailureCode; reason: string };
  /** The perfect subtrees covering the batch, largest first (one for a full batch). */
  nodes: SubtreeNode[];
  /** The same for each cut. */
  cuts: SubtreeNode[][];
}

export type SubtreeNode = { level: number; hash: string };

export function checkBatch(buf: Buffer, job: BatchJob): BatchResult {
  const result: BatchResult = { verified: 0, archived: 0, firstPrev: '', lastCurrent: '', nodes: [], cuts: [] };
  const rows = new RowReader(buf);
  // Leaves after a spare byte, then each level after one (see buildLevels): at most 64 levels.
  const leaves = job.tree
    ? treeMemory(2 * job.count * HASH_BYTES + 64).subarray(1, 1 + job.count * HASH_BYTES)
    : undefined;
  const leafView = leaves && new DataView(leaves.buffer, leaves.byteOffset, leaves.length);
  let p = 0;
  let lastCurrent = -1;
  for (let i = 0; i < job.count; i++) {
    const expected = job.firstSeq + i;
    const problem = rows.check(p, expected, i === 0 ? -1 : lastCurrent);
    if (i === 0 && problem !== 'format' && problem !== 'seq') result.firstPrev = rows.text(p + AT.prev);
    if (problem) {
      const seq = problem === 'format' ? expected : rows.seq(p);
      result.failure = { index: i, seq: expected, code: problem, reason: failureReason(problem, expected, seq) };
      return result;
    }
    if (rows.archived) result.archived += 1;
    if (leafView) copyHash(rows.view, p + AT.leaf, leafView, i * HASH_BYTES);
    lastCurrent = p + AT.current;
    p = rows.next;
    result.verified = i + 1;
  }
  if (lastCurrent >= 0) result.lastCurrent = rows.text(lastCurrent);
  if (leaves) {
    const levels = buildLevels(leaves, job.count);
    result.nodes = cover(levels, job.count);
    result.cuts = job.cuts.map((cut) => cover(levels, cut));
  }
  return result;
}

/**
 * Reads and checks tuples of one batch. Hashing goes through plain Uint8Array views and comparisons through
 * byte loops: per row, that is most of what is not SHA-256 itself.
 */
class RowReader {
  readonly bytes: Uint8Array;
  /** After `check` passed the format: where the next tuple starts, and whether the entry is archived. */
  next = 0;
  archived = false;
  readonly view: DataView;

  constructor(buf: Buffer) {
    this.bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  }

  /** The 32 bytes at `at` as a latin1 string. */
  text(at: number): string {
    return String.fromCharCode(...this.bytes.subarray(at, at + HASH_BYTES));
  }

  /** The seq of the tuple at `p`. */
  seq(p: number): number {
    return this.view.getUint32(p + AT.seq) * 2 ** 32 + this.view.getUint32(p + AT.seq + 4);
  }

  /**
   * The checks of docs/audit-format.md for one row, in their order: seq, link to the previous row (`previous`,
   * the offset of its hash_current; across batches the caller checks it), then hash_current and leaf_hash
   * recomputed from the stored bytes, unless the payload is archived. Returns what failed, if anything.
   */
  check(p: number, expected: number, previous: number): FailureCode | undefined {
    const { bytes, view } = this;
    // In order: each length is only where it should be if the fields before it have their sizes.
    const wellFormed =
      view.getInt16(p) === 5 &&
      view.getInt32(p + 2) === 8 &&
      view.getInt32(p + 14) === HASH_BYTES &&
      view.getInt32(p + 50) === HASH_BYTES &&
      view.getInt32(p + 86) === 1 &&
      view.getInt32(p + AT.bodyLength) >= HASH_BYTES;
    if (!wellFormed) return 'format';
    const body = p + AT.prev;
    const end = body + view.getInt32(p + AT.bodyLength);
    this.next = end;
    this.archived = bytes[p + AT.archived] !== 0;
    if (this.seq(p) !== expected) return 'seq';
    if (previous >= 0 && !sameHash(view, previous, body)) return 'prev';
    if (this.archived) return undefined;
    const { buffer, byteOffset } = bytes;
    const current = hash('sha256', new Uint8Array(buffer, byteOffset + body, end - body), 'binary');
    // H(0x00 ‖ entry): the byte before the entry is the last byte of hash_prev; swap in 0x00 for the leaf hash.
    const before = body + HASH_BYTES - 1;
    const saved = bytes[before] as number;
    bytes[before] = 0;
    const leaf = hash('sha256', new Uint8Array(buffer, byteOffset + before, end - before), 'binary');
    bytes[before] = saved;
    if (!equalsText(current, bytes, p + AT.current)) return 'hash';
    return equalsText(leaf, bytes, p + AT.leaf) ? undefined : 'leaf';
  }
}

/** The reason a row failed, worded as the chain verifier (chain.ts) words it. */
function failureReason(code: FailureCode, expected: number, seq: number): string {
  switch (code) {
    case 'format':
      return `seq ${expected}: the stored row is malformed (a hash is not ${HASH_BYTES} bytes)`;
    case 'seq':
      return seq > expected
        ? `seq ${expected} is missing (next row has seq ${seq})`
        : `seq ${seq} is repeated or out of order (expected ${expected})`;
    case 'prev':
      return `seq ${seq}: hash_prev does not equal the previous hash`;
    case 'hash':
      return `seq ${seq}: hash_current does not match the entry`;
    case 'leaf':
      return `seq ${seq}: leaf_hash does not match the entry`;
  }
}

/** Whether the hashes at `a` and `b` are equal; compared as 32-bit words, the cheapest read JavaScript has. */
function sameHash(view: DataView, a: number, b: number): boolean {
  for (let k = 0; k < HASH_BYTES; k += 4) if (view.getInt32(a + k) !== view.getInt32(b + k)) return false;
  return true;
}

/** Whether the latin1 digest `text` spells the 32 bytes at `at`. */
function equalsText(text: string, bytes: Uint8Array, at: number): boolean {
  for (let k = 0; k < HASH_BYTES; k++) if (text.charCodeAt(k) !== bytes[at + k]) return false;
  return true;
}

function copyHash(from: DataView, at: number, to: DataView, into: number): void {
  for (let k = 0; k < HASH_BYTES; k += 4) to.setInt32(into + k, from.getInt32(at + k));
}

let treeScratch = new Uint8Array(0);

/** Memory for a batch's tree, reused from batch to batch (see BatchMemory). */
function treeMemory(bytes: number): Uint8Array {
  if (treeScratch.length < bytes) treeScratch = new Uint8Array(bytes);
  return treeScratch;
}

/**
 * Level l holds the floor(count / 2^l) complete nodes over the leaves, each H(0x01 ‖ left ‖ right). The levels
 * follow the leaves in the same memory, each after a spare byte: the byte before a pair of nodes is set to 0x01
 * while the pair is hashed where it lies, then restored.
 */
function buildLevels(leaves: Uint8Array, count: number): Uint8Array[] {
  const levels = [leaves];
  const memory = new Uint8Array(leaves.buffer);
  let offset = leaves.byteOffset + leaves.length + 1;
  for (let level = leaves, n = count; n > 1; n = Math.floor(n / 2)) {
    const next = new Uint8Array(leaves.buffer, offset, Math.floor(n / 2) * HASH_BYTES);
    offset += next.length + 1;
    for (let j = 0; j < Math.floor(n / 2); j++) {
      const before = level.byteOffset + j * 2 * HASH_BYTES - 1;
      const saved = memory[before] as number;
      memory[before] = 1;
      const node = hash('sha256', new Uint8Array(memory.buffer, before, 1 + 2 * HASH_BYTES), 'binary');
      memory[before] = saved;
      for (let k = 0; k < HASH_BYTES; k++) next[j * HASH_BYTES + k] = node.charCodeAt(k);
    }
    levels.push(next);
    level = next;
  }
  return levels;
}

/** The perfect subtrees covering the first `count` leaves, largest first (perfectDecomposition in merkle-store). */
function cover(levels: Uint8Array[], count: number): SubtreeNode[] {
  const nodes: SubtreeNode[] = [];
  let pos = 0;
  for (let level = levels.length - 1; level >= 0; level--) {
    const width = 2 ** level;
    if (pos + width > count) continue;
    const at = (pos / width) * HASH_BYTES;
    nodes.push({ level, hash: String.fromCharCode(...(levels[level] as Uint8Array).subarray(at, at + HASH_BYTES)) });
    pos += width;
  }
  return nodes;
}
