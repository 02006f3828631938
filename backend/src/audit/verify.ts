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
import { hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Queryable } from '../db';
import { ArchiveFileError, mergeArchives, type ArchivedHashes } from './archive';
import { checkpointSignatureValid, listCheckpoints, rootAt } from './checkpoints';
import { toHex as hex } from './hash';
import { emptyRoot, nodeHash } from './merkle';
import type { SigningKey } from './signing-key';

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

/**
 * A database that can stream the bytes of a `COPY (query) TO STDOUT` statement (PostgreSQL, through
 * pg-copy-streams). Stopping the iteration early must abandon the COPY.
 */
export interface CopyToSource {
  copyTo(sql: string): AsyncIterable<Uint8Array>;
}

type Failure = { seq: number; reason: string };

const DEFAULT_BATCH_ROWS = 4096;
/** Rows per COPY statement: each one stays far below any statement timeout. A multiple of every batch size. */
const COPY_RANGE_ROWS = 1 << 20;
const THREADS_FROM_ROWS = 1 << 16;
const HASH_BYTES = 32;
const GENESIS = '\0'.repeat(HASH_BYTES);

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

// ---------------------------------------------------------------------------------------------------------------
// Rows as binary COPY tuples (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format"): an int16
// field count, then for each field an int32 length and its bytes. The last field is hash_prev ‖ canonical (just
// hash_prev once archived): the input of the chain hash, hashed where it lies. Offsets from the start of a tuple:
const AT = { seq: 6, leaf: 18, current: 54, archived: 90, bodyLength: 91, prev: 95 } as const;
const ROWS = `SELECT seq, leaf_hash, hash_current, canonical IS NULL AS archived,
  hash_prev || coalesce(canonical, ''::bytea) AS body FROM audit_log`;

/** Memory of its own, so that it can be transferred to a hashing thread. */
type OwnBuffer = Buffer<ArrayBuffer>;

interface Batch {
  buf: OwnBuffer;
  firstSeq: number;
  count: number;
}

async function* copyBatches(
  db: CopyToSource,
  from: number,
  to: number,
  size: number,
  memory: BatchMemory
): AsyncGenerator<Batch> {
  let firstSeq = from;
  for (let lo = from; lo <= to; lo += COPY_RANGE_ROWS) {
    const hi = Math.min(to, lo + COPY_RANGE_ROWS - 1);
    const tuples = new TupleBatcher(size, memory);
    const sql = `COPY (${ROWS} WHERE seq BETWEEN ${lo} AND ${hi} ORDER BY seq) TO STDOUT (FORMAT binary)`;
    for await (const chunk of db.copyTo(sql)) {
      for (const batch of tuples.push(chunk)) {
        yield { ...batch, firstSeq };
        firstSeq += batch.count;
      }
    }
    const last = tuples.end();
    if (last) {
      yield { ...last, firstSeq };
      firstSeq += last.count;
    }
  }
}

/** PGlite (and any database without copyTo): pages of rows, encoded as the same tuples. */
async function* pagedBatches(
  db: Queryable,
  from: number,
  to: number,
  size: number,
  memory: BatchMemory
): AsyncGenerator<Batch> {
  let firstSeq = from;
  for (let next = from; next <= to;) {
    const page = await db.query<{
      seq: number;
      leaf_hash: Uint8Array;
      hash_current: Uint8Array;
      archived: boolean;
      body: Uint8Array;
    }>(`${ROWS} WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT $3`, [next, to, size]);
    if (page.rows.length === 0) return;
    const fields = page.rows.map((r) => [
      seqBytes(r.seq),
      r.leaf_hash,
      r.hash_current,
      Uint8Array.of(r.archived ? 1 : 0),
      r.body,
    ]);
    const bytes = fields.reduce((n, f) => n + 2 + f.reduce((m, v) => m + 4 + v.length, 0), 0);
    const buf = memory.take(bytes).subarray(0, bytes);
    let p = 0;
    for (const f of fields) {
      p = buf.writeInt16BE(f.length, p);
      for (const v of f) {
        p = buf.writeInt32BE(v.length, p);
        buf.set(v, p);
        p += v.length;
      }
    }
    yield { buf, firstSeq, count: page.rows.length };
    firstSeq += page.rows.length;
    next = (page.rows[page.rows.length - 1] as { seq: number }).seq + 1;
  }
}

function seqBytes(seq: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(seq));
  return b;
}

/**
 * Batch memory, recycled: fresh memory costs a page fault per 4 KiB on first write, more than copying the rows
 * into it. A batch's memory comes back once the batch is checked (from a hashing thread, transferred back).
 */
class BatchMemory {
  private readonly free: ArrayBuffer[] = [];

  take(bytes: number): OwnBuffer {
    const i = this.free.findIndex((b) => b.byteLength >= bytes);
    const reused = i >= 0 ? this.free.splice(i, 1)[0] : undefined;
    return Buffer.from(reused ?? new ArrayBuffer(bytes));
  }

  give(memory: ArrayBuffer): void {
    if (this.free.length < 32) this.free.push(memory);
  }
}

const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const COPY_HEADER_BYTES = 19;

/** Cuts a binary COPY stream into buffers of `size` whole tuples, each in its own transferable memory. */
class TupleBatcher {
  private buf: OwnBuffer;
  private view: DataView;
  private length = 0;
  /** Where the next tuple starts; every tuple before it is complete. */
  private walked = 0;
  private rows = 0;
  private started = false;
  private ended = false;

  constructor(
    private readonly size: number,
    private readonly memory: BatchMemory
  ) {
    this.buf = memory.take(1 << 20);
    this.view = new DataView(this.buf.buffer);
  }

  /** Takes the next chunk of the stream; returns the batches it completed. */
  push(chunk: Uint8Array): Omit<Batch, 'firstSeq'>[] {
    if (this.ended) throw new Error('COPY data after its end marker');
    if (this.length + chunk.length > this.buf.length) {
      this.replace(Math.max(this.buf.length * 2, this.length + chunk.length), 0);
    }
    this.buf.set(chunk, this.length);
    this.length += chunk.length;
    if (!this.started && !this.skipHeader()) return [];
    const done: Omit<Batch, 'firstSeq'>[] = [];
    for (;;) {
      const end = tupleEnd(this.view, this.walked, this.length);
      if (end === TUPLE_INCOMPLETE) return done;
      if (end === COPY_END) {
        this.ended = true;
        this.length = this.walked;
        return done;
      }
      this.walked = end;
      this.rows += 1;
      if (this.rows === this.size) done.push(this.cut());
    }
  }

  /** The last, partial batch once the stream ended; throws when the stream stopped before its end marker. */
  end(): Omit<Batch, 'firstSeq'> | undefined {
    if (!this.ended) throw new Error('the COPY stream ended before its end marker');
    return this.rows > 0 ? this.cut() : undefined;
  }

  private skipHeader(): boolean {
    if (this.length < COPY_HEADER_BYTES) return false;
    if (!this.buf.subarray(0, COPY_SIGNATURE.length).equals(COPY_SIGNATURE))
      throw new Error('not a binary COPY stream');
    const headerEnd = COPY_HEADER_BYTES + this.view.getUint32(15);
    if (this.length < headerEnd) return false;
    this.buf.copy(this.buf, 0, headerEnd, this.length);
    this.length -= headerEnd;
    this.started = true;
    return true;
  }

  private cut(): Omit<Batch, 'firstSeq'> {
    const done = { buf: this.buf.subarray(0, this.walked), count: this.rows };
    // The next batch gets memory of its own: the finished one may be transferred to another thread.
    this.replace(Math.max(1 << 16, Math.ceil(this.walked * 1.25), this.length - this.walked), this.walked);
    this.rows = 0;
    return done;
  }

  /** Moves the bytes from `from` on into new memory of `capacity` bytes. */
  private replace(capacity: number, from: number): void {
    const next = this.memory.take(capacity);
    this.buf.copy(next, 0, from, this.length);
    if (from === 0) this.memory.give(this.buf.buffer); // grown: the old memory is no longer used
    this.buf = next;
    this.view = new DataView(next.buffer);
    this.length -= from;
    this.walked -= from;
  }
}

const TUPLE_INCOMPLETE = -1;
const COPY_END = -2;

/** Offset after the tuple at `p`; TUPLE_INCOMPLETE when it is not all there yet; COPY_END at the end marker. */
function tupleEnd(view: DataView, p: number, length: number): number {
  if (p + 2 > length) return TUPLE_INCOMPLETE;
  const fields = view.getInt16(p);
  if (fields === -1) return COPY_END;
  let q = p + 2;
  for (let f = 0; f < fields; f++) {
    if (q + 4 > length) return TUPLE_INCOMPLETE;
    q += 4 + Math.max(0, view.getInt32(q));
    if (q > length) return TUPLE_INCOMPLETE;
  }
  return q;
}

/** Start offsets of the first `count` tuples of a batch. */
function tupleOffsets(buf: Buffer, count: number): number[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const offsets: number[] = [];
  for (let p = 0; offsets.length < count; p = tupleEnd(view, p, buf.length)) offsets.push(p);
  return offsets;
}

// ---------------------------------------------------------------------------------------------------------------
// Checking a batch: pure, runs on any thread.

interface BatchJob {
  /** The seq the first row must have. */
  firstSeq: number;
  count: number;
  /** Build the batch's Merkle subtrees (only when the whole log is verified: batches are then aligned). */
  tree: boolean;
  /** Row counts from the batch start whose subtree cover is wanted (checkpoint sizes inside the batch). */
  cuts: number[];
}

type FailureCode = 'format' | 'seq' | 'prev' | 'hash' | 'leaf';

/** Hashes are latin1 ("binary") strings of 32 characters: cheap to make, compare and post between threads. */
interface BatchResult {
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

type SubtreeNode = { level: number; hash: string };

function checkBatch(buf: Buffer, job: BatchJob): BatchResult {
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

// ---------------------------------------------------------------------------------------------------------------
// Joining batch results in seq order.

interface BatchInfo {
  firstSeq: number;
  count: number;
  /** Checkpoint sizes inside the batch, absolute. */
  cuts: number[];
}

class ChainState {
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

// ---------------------------------------------------------------------------------------------------------------
// Archive files, streamed in seq order next to the rows.

class ArchiveMatcher {
  rehashed = 0;
  private readonly entries: AsyncGenerator<ArchivedHashes & { file: string }>;
  private pending: (ArchivedHashes & { file: string }) | undefined;
  private done = false;

  constructor(files: readonly string[], key: Pick<SigningKey, 'publicKey'>) {
    this.entries = mergeArchives(files, key);
  }

  /** Compares the archived entries that fall in this batch with its stored hashes. */
  async check(batch: Batch): Promise<Failure | undefined> {
    let offsets: number[] | undefined;
    for (;;) {
      const problem = await this.peek();
      if (problem) return problem;
      const entry = this.pending;
      if (!entry || entry.seq >= batch.firstSeq + batch.count) return undefined;
      this.pending = undefined;
      if (entry.seq < batch.firstSeq) continue; // before the verified range
      offsets ??= tupleOffsets(batch.buf, batch.count);
      const p = offsets[entry.seq - batch.firstSeq] as number;
      if (batch.buf.readUInt32BE(p + AT.seq) * 2 ** 32 + batch.buf.readUInt32BE(p + AT.seq + 4) !== entry.seq) {
        continue; // rows are missing: the chain check reports it
      }
      const stored = (at: number) => batch.buf.toString('hex', at, at + HASH_BYTES);
      if (
        stored(p + AT.leaf) !== entry.leafHash ||
        stored(p + AT.current) !== entry.hashCurrent ||
        stored(p + AT.prev) !== entry.hashPrev
      ) {
        return {
          seq: entry.seq,
          reason: `seq ${entry.seq}: the archive ${entry.file} holds other hashes than the log`,
        };
      }
      if (batch.buf[p + AT.archived] !== 0) this.rehashed += 1;
    }
  }

  /** Reads the archives to their end (their trailers are checked there); entries at or past `limit` are an error. */
  async finish(limit: number): Promise<Failure | undefined> {
    for (;;) {
      const problem = await this.peek();
      if (problem || !this.pending) return problem;
      const entry = this.pending;
      this.pending = undefined;
      if (entry.seq >= limit) {
        return {
          seq: entry.seq,
          reason: `the archive ${entry.file} holds seq ${entry.seq}, but the log has ${limit} entries`,
        };
      }
    }
  }

  /** Stops reading the archives early. */
  async close(): Promise<void> {
    this.done = true;
    await this.entries.return(undefined);
  }

  private async peek(): Promise<Failure | undefined> {
    if (this.pending || this.done) return undefined;
    try {
      const next = await this.entries.next();
      if (next.done) this.done = true;
      else this.pending = next.value;
      return undefined;
    } catch (err) {
      if (!(err instanceof ArchiveFileError)) throw err;
      this.done = true;
      return { seq: err.seq ?? 0, reason: `archive ${err.message}` };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Hashing threads: this module, loaded again as a worker, answers batches.

interface ToHasher {
  job: BatchJob;
  buffer: ArrayBuffer;
  offset: number;
  length: number;
}

interface FromHasher {
  result: BatchResult;
  /** The batch's memory, given back. */
  buffer: ArrayBuffer;
}

interface Task {
  job: BatchJob;
  buf: OwnBuffer;
  resolve: (result: BatchResult) => void;
  reject: (err: Error) => void;
}

const THREAD_MARKER = 'cartae-audit-verify';

class BatchPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Task>();
  private readonly queue: Task[] = [];

  constructor(
    private readonly threads: number,
    private readonly memory: BatchMemory
  ) {}

  run(job: BatchJob, buf: OwnBuffer): Promise<BatchResult> {
    if (this.threads === 0) {
      try {
        return Promise.resolve(checkBatch(buf, job));
      } catch (err) {
        return Promise.reject(err as Error);
      } finally {
        this.memory.give(buf.buffer);
      }
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ job, buf, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && (this.idle.length > 0 || this.workers.length < this.threads)) {
      const worker = this.idle.pop() ?? this.spawn();
      const task = this.queue.shift() as Task;
      this.busy.set(worker, task);
      const { buf } = task;
      const message: ToHasher = { job: task.job, buffer: buf.buffer, offset: buf.byteOffset, length: buf.length };
      worker.postMessage(message, [buf.buffer]);
    }
  }

  private spawn(): Worker {
    const file = __filename;
    // From the TypeScript sources (tests, `npm run dev`) the thread compiles them as it loads them.
    const execArgv = file.endsWith('.ts') ? [...process.execArgv, '--require', 'tsx/cjs'] : undefined;
    const worker = new Worker(file, { workerData: { thread: THREAD_MARKER }, execArgv, name: 'audit-verify' });
    this.workers.push(worker);
    worker.on('message', ({ result, buffer }: FromHasher) => {
      this.memory.give(buffer);
      const task = this.busy.get(worker);
      this.busy.delete(worker);
      this.idle.push(worker);
      task?.resolve(result);
      this.dispatch();
    });
    const failed = (err: Error): void => {
      for (const list of [this.workers, this.idle]) if (list.includes(worker)) list.splice(list.indexOf(worker), 1);
      const task = this.busy.get(worker);
      this.busy.delete(worker);
      task?.reject(err);
      for (const queued of this.queue.splice(0)) queued.reject(err);
    };
    worker.on('error', (err) => failed(new Error(`an audit verify thread failed: ${err.message}`)));
    worker.on('exit', (code) => failed(new Error(`an audit verify thread exited with code ${code}`)));
    return worker;
  }
}

if (!isMainThread && parentPort && (workerData as { thread?: unknown } | null)?.thread === THREAD_MARKER) {
  const port = parentPort;
  port.on('message', (message: ToHasher) => {
    const result = checkBatch(Buffer.from(message.buffer, message.offset, message.length), message.job);
    const reply: FromHasher = { result, buffer: message.buffer };
    port.postMessage(reply, [message.buffer]);
  });
}
