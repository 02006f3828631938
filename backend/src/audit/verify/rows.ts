/**
 * Rows as binary COPY tuples (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format"): an int16
 * field count, then for each field an int32 length and its bytes. The last field is hash_prev ‖ canonical (just
 * hash_prev once archived): the input of the chain hash, hashed where it lies. Rows come from one
 * `COPY … TO STDOUT` per range of seqs when the database offers `copyTo`, else from pages of SELECT results
 * encoded as the same tuples; they are cut into batches, each in memory of its own.
 */
import type { Queryable } from '../../db';

/**
 * A database that can stream the bytes of a `COPY (query) TO STDOUT` statement (PostgreSQL, through
 * pg-copy-streams). Stopping the iteration early must abandon the COPY.
 */
export interface CopyToSource {
  copyTo(sql: string): AsyncIterable<Uint8Array>;
}

export type Failure = { seq: number; reason: string };

export const HASH_BYTES = 32;
export const GENESIS = '\0'.repeat(HASH_BYTES);
/** Rows per COPY statement: each one stays far below any statement timeout. A multiple of every batch size. */
const COPY_RANGE_ROWS = 1 << 20;

/** Offsets from the start of a tuple. */
export const AT = { seq: 6, leaf: 18, current: 54, archived: 90, bodyLength: 91, prev: 95 } as const;
const ROWS = `SELECT seq, leaf_hash, hash_current, canonical IS NULL AS archived,
  hash_prev || coalesce(canonical, ''::bytea) AS body FROM audit_log`;

/** Memory of its own, so that it can be transferred to a hashing thread. */
export type OwnBuffer = Buffer<ArrayBuffer>;

export interface Batch {
  buf: OwnBuffer;
  firstSeq: number;
  count: number;
}

export async function* copyBatches(
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
export async function* pagedBatches(
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
export class BatchMemory {
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
export function tupleOffsets(buf: Buffer, count: number): number[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const offsets: number[] = [];
  for (let p = 0; offsets.length < count; p = tupleEnd(view, p, buf.length)) offsets.push(p);
  return offsets;
}
