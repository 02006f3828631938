/**
 * Durable, totally ordered appends to the audit trail with group commit: requests that arrive while a
 * transaction is in flight are written together in the next one, and each request is acknowledged only
 * after the transaction holding its entries committed. The `audit_head` row lock orders writers across
 * processes; the Merkle frontier is cached in-process and reloaded when another process moved the head.
 */
import type { Database, Queryable } from '../db';
import { chainHash, GENESIS_HASH } from './chain';
import { AuditInputError, buildEntry, entryBytes, type AuditEntry, type AuditEventInput } from './entry';
import { toHex } from './hash';
import { leafHash } from './merkle';
import {
  MerkleAppender,
  nodeKey,
  perfectDecomposition,
  type NodeId,
  type NodeLookup,
  type StoredNode,
} from './merkle-store';

export interface AppendResult {
  firstSeq: number;
  lastSeq: number;
  count: number;
}

export interface AppendOptions {
  /**
   * Nobody waits for these entries (the HTTP hook records a request after its response was sent): they may
   * wait up to `backgroundFlushMs` to share a transaction with others. Entries stay in arrival order.
   */
  background?: boolean;
}

/** What the API and the HTTP hook write to: in this thread (AuditWriter) or in a writer thread. */
export interface AuditSink {
  /**
   * Appends `inputs` in order, as consecutive seqs; resolves once they are committed. Invalid input
   * throws AuditInputError (located by index) before anything is queued.
   */
  append(inputs: readonly AuditEventInput[], options?: AppendOptions): Promise<AppendResult>;
  /** Resolves when everything appended so far, background entries included, is committed (or failed). */
  flush(): Promise<void>;
  /** Flushes, then releases what the sink holds; appends fail afterwards. */
  close(): Promise<void>;
}

export interface AuditWriterOptions {
  redactFields: readonly string[];
  /** Most entries written in one transaction (default 2000; a larger single request is written alone). */
  maxBatchEntries?: number;
  /** Longest time a background entry waits before it is written (when nothing urgent comes first). */
  backgroundFlushMs?: number;
  /** Told after each commit: how many entries, and how long the transaction took. */
  onCommit?: (count: number, seconds: number) => void;
}

interface Pending {
  /** Built, redacted and validated on arrival; only `seq` is assigned when the batch is written. */
  entries: AuditEntry[];
  background: boolean;
  resolve: (result: AppendResult) => void;
  reject: (err: unknown) => void;
}

/** The head of the trail as this process last wrote or read it. */
interface Head {
  size: number;
  hash: string;
  appender: MerkleAppender;
}

const COLUMNS =
  'seq, id, "timestamp", user_id, username, action, resource, resource_id, method, path, query, body, ip_address, ' +
  'user_agent, status, status_code, response_time, error_message, metadata, canonical, leaf_hash, hash_prev, hash_current';

/**
 * One statement appends a batch: it moves the head from ($24, $25) to ($26, $27) and inserts the rows (column
 * arrays unnested) and the Merkle nodes completed, or does nothing at all when the head is no longer where
 * this process saw it (another process wrote since). One statement is one implicit transaction and one round
 * trip; the UPDATE's row lock orders writers across processes. Hashes travel as hex and the canonical bytes
 * as base64 text, which both drivers (pg and PGlite) serialize identically inside arrays.
 */
const APPEND = `WITH head AS (
  UPDATE audit_head SET tree_size = $26, head_hash = decode($27, 'hex'), updated_at = now()
   WHERE tree_size = $24 AND head_hash = decode($25, 'hex')
  RETURNING 1
), entries AS (
  INSERT INTO audit_log (${COLUMNS})
  SELECT seq, id, ts, user_id, username, action, resource, resource_id, method, path, query, body, ip, user_agent,
         status, status_code, response_time, error_message, metadata,
         decode(canonical, 'base64'), decode(leaf, 'hex'), decode(prev, 'hex'), decode(cur, 'hex')
    FROM unnest($1::int8[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[],
                $8::text[], $9::text[], $10::text[], $11::jsonb[], $12::jsonb[], $13::inet[], $14::text[],
                $15::text[], $16::int4[], $17::float8[], $18::text[], $19::jsonb[], $20::text[], $21::text[],
                $22::text[], $23::text[])
      AS t(seq, id, ts, user_id, username, action, resource, resource_id, method, path, query, body, ip,
           user_agent, status, status_code, response_time, error_message, metadata, canonical, leaf, prev, cur)
   WHERE EXISTS (SELECT 1 FROM head)
), nodes AS (
  INSERT INTO audit_merkle_nodes (level, idx, hash)
  SELECT level, idx, decode(hash, 'hex') FROM unnest($28::int2[], $29::int8[], $30::text[]) AS n(level, idx, hash)
   WHERE EXISTS (SELECT 1 FROM head)
)
SELECT count(*)::int AS applied FROM head`;

/** Large batches: move the head (or nothing, when it is no longer there), COPY the rows, insert the nodes. */
const MOVE_HEAD = `UPDATE audit_head SET tree_size = $3, head_hash = decode($4, 'hex'), updated_at = now()
 WHERE tree_size = $1 AND head_hash = decode($2, 'hex')`;

const INSERT_NODES = `INSERT INTO audit_merkle_nodes (level, idx, hash)
SELECT level, idx, decode(hash, 'hex') FROM unnest($1::int2[], $2::int8[], $3::text[]) AS n(level, idx, hash)`;

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));
const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

/** Reads stored Merkle nodes: level 0 from `audit_log.leaf_hash`, higher levels from `audit_merkle_nodes`. */
export async function fetchNodes(db: Queryable, requested: readonly NodeId[]): Promise<NodeLookup> {
  const ids = [...new Map(requested.map((id) => [nodeKey(id), id])).values()]; // plans often share nodes
  const found = new Map<string, Buffer>();
  const leaves = ids.filter((id) => id.level === 0).map((id) => id.index);
  const inner = ids.filter((id) => id.level > 0);
  if (leaves.length > 0) {
    const rows = await db.query<{ seq: number; leaf_hash: Buffer }>(
      'SELECT seq, leaf_hash FROM audit_log WHERE seq = ANY($1::int8[])',
      [leaves]
    );
    for (const row of rows.rows) found.set(nodeKey({ level: 0, index: row.seq }), Buffer.from(row.leaf_hash));
  }
  if (inner.length > 0) {
    const rows = await db.query<{ level: number; idx: number; hash: Buffer }>(
      `SELECT n.level, n.idx, n.hash FROM audit_merkle_nodes n
         JOIN unnest($1::int2[], $2::int8[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx`,
      [inner.map((id) => id.level), inner.map((id) => id.index)]
    );
    for (const row of rows.rows) found.set(nodeKey({ level: row.level, index: row.idx }), Buffer.from(row.hash));
  }
  return (id) => found.get(nodeKey(id));
}

/** Entries in the trail, as the head row records them (all processes). */
export async function treeSize(db: Queryable): Promise<number> {
  return (await db.query<{ tree_size: number }>('SELECT tree_size FROM audit_head')).rows[0]?.tree_size ?? 0;
}

export class AuditWriter implements AuditSink {
  private readonly queue: Pending[] = [];
  /** Entries in the queue, and how many of its items someone is waiting for. */
  private queued = 0;
  private urgent = 0;
  private flushing: Promise<void> | undefined;
  /** Background entries are due: the timer fired or a flush was asked for. */
  private due = false;
  private timer: NodeJS.Timeout | undefined;
  private head: Head | undefined;
  private readonly maxBatchEntries: number;
  private readonly backgroundFlushMs: number;

  constructor(
    private readonly db: Database,
    private readonly options: AuditWriterOptions
  ) {
    this.maxBatchEntries = options.maxBatchEntries ?? 2000;
    this.backgroundFlushMs = options.backgroundFlushMs ?? 200;
  }

  append(inputs: readonly AuditEventInput[], options: AppendOptions = {}): Promise<AppendResult> {
    if (inputs.length === 0) return Promise.reject(new RangeError('nothing to append'));
    // Build now, not mid-batch, so that one bad event rejects its request and nothing else.
    const entries = inputs.map((input, index) => {
      try {
        return buildEntry(0, input, this.options.redactFields);
      } catch (err) {
        if (err instanceof AuditInputError) throw err.at(index);
        throw err;
      }
    });
    const background = options.background === true;
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ entries, background, resolve, reject });
      this.queued += entries.length;
      if (!background) this.urgent += 1;
      this.schedule();
    });
  }

  async close(): Promise<void> {
    await this.flush();
  }

  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.flushing) {
      this.due = true;
      this.schedule();
      await this.flushing;
    }
  }

  /** Starts writing when something is ready, else makes sure the background timer runs. */
  private schedule(): void {
    if (this.flushing || this.queue.length === 0) return;
    if (this.ready()) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.flushing = this.drain();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.due = true;
        this.schedule();
      }, this.backgroundFlushMs).unref();
    }
  }

  private ready(): boolean {
    return this.urgent > 0 || this.due || this.queued >= this.maxBatchEntries;
  }

  private async drain(): Promise<void> {
    try {
      // Pipelined: while one batch is being stored, the next is hashed behind the head it will leave (if
      // it commits). When it does not, or another process wrote, the next batch is hashed again.
      let current = this.takeBatch();
      let prepared = current && this.head && prepare(this.head, current);
      while (current) {
        const writing = this.write(current, prepared);
        await new Promise((resolve) => setImmediate(resolve)); // let the driver send the write first
        const next = this.takeBatch();
        const speculative = next && prepared && (await prepareSliced(prepared.head, next));
        await writing;
        prepared =
          next && (speculative && this.head === prepared?.head ? speculative : this.head && prepare(this.head, next));
        current = next;
      }
    } finally {
      this.flushing = undefined;
      this.schedule();
    }
  }

  /** The next batch to write, if anything is ready: queue order, at most maxBatchEntries (or one request). */
  private takeBatch(): Pending[] | undefined {
    if (this.queue.length === 0 || !this.ready()) return undefined;
    this.due = false; // one batch of what was due; background entries arriving meanwhile wait their turn
    const batch: Pending[] = [];
    let count = 0;
    while (
      this.queue.length > 0 &&
      (batch.length === 0 || count + (this.queue[0] as Pending).entries.length <= this.maxBatchEntries)
    ) {
      const next = this.queue.shift() as Pending;
      batch.push(next);
      count += next.entries.length;
      this.queued -= next.entries.length;
      if (!next.background) this.urgent -= 1;
    }
    return batch;
  }

  /** Stores `batch`, hashed as `prepared` when given (optimistic), else behind the locked head. */
  private async write(batch: Pending[], prepared: Prepared | undefined): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      // Optimistic: from the head this process last saw. When another process wrote since, nothing was
      // written: lock the head, read it, and append behind it.
      let done = prepared && (await this.storeOptimistic(prepared)) ? prepared : undefined;
      done ??= await this.db.transaction(async (tx) => {
        const locked = prepare(await this.lockHead(tx), batch);
        if (!(await store(tx, locked))) throw new Error('audit_head moved while locked');
        return locked;
      });
      this.head = done.head;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.options.onCommit?.(done.rows.length, seconds);
      const results = done.out;
      batch.forEach((pending, i) => pending.resolve(results[i] as AppendResult));
    } catch (err) {
      this.head = undefined; // unknown outcome: read the head again before the next write
      if (isDuplicateId(err)) {
        // An event id that is already recorded (a client retrying a batch that was committed) fails only the
        // request that carries it: the others of this group commit are written one request at a time.
        if (batch.length > 1) {
          for (const pending of batch) await this.write([pending], undefined);
          return;
        }
        for (const pending of batch)
          pending.reject(new AuditInputError('id', 'is already recorded in the audit trail'));
        return;
      }
      for (const pending of batch) pending.reject(err);
    }
  }

  /** Stores `prepared` unless the head moved; false when it did (then nothing was written). */
  private async storeOptimistic(prepared: Prepared): Promise<boolean> {
    if (prepared.rows.length < COPY_MIN_ENTRIES) return store(this.db, prepared);
    try {
      return await this.db.transaction(async (tx) => {
        if (!(await store(tx, prepared))) throw new HeadMoved();
        return true;
      });
    } catch (err) {
      if (err instanceof HeadMoved) return false;
      throw err;
    }
  }

  /** Locks the head row for this transaction and returns it, with the Merkle frontier to continue from. */
  private async lockHead(tx: Queryable): Promise<Head> {
    const rows = await tx.query<{ tree_size: number; head_hash: Buffer }>(
      'SELECT tree_size, head_hash FROM audit_head FOR UPDATE'
    );
    const row = rows.rows[0];
    if (!row) throw new Error('audit_head is missing: run the migrations');
    const size = row.tree_size;
    const hash = size === 0 ? GENESIS_HASH : toHex(row.head_hash);
    if (this.head?.size === size && this.head.hash === hash) return this.head;
    const ids = perfectDecomposition(0, size);
    const lookup = await fetchNodes(tx, ids);
    const frontier = ids.map((id) => {
      const node = lookup(id);
      if (!node) throw new Error(`audit Merkle node ${nodeKey(id)} is missing: the trail is damaged, run audit verify`);
      return node;
    });
    return { size, hash, appender: MerkleAppender.restore(size, frontier) };
  }
}

/** A batch hashed and laid out for storage, from a given head. */
interface Prepared {
  from: { size: number; hash: string };
  /** The head once the batch is stored. */
  head: Head;
  out: AppendResult[];
  rows: Row[];
  nodes: StoredNode[];
  /** The rows in COPY text format, when they were laid out while hashing (batches hashed ahead of their write). */
  copy?: string;
}

/** Below this many entries one statement (unnested arrays) is cheaper than a transaction with COPY. */
const COPY_MIN_ENTRIES = 64;

class HeadMoved extends Error {}

/** The unique index on audit_log.id refused a row (both drivers report SQLSTATE 23505 and the index name). */
function isDuplicateId(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  return code === '23505' && typeof message === 'string' && message.includes('audit_log_id_key');
}

/** Assigns seqs behind `head` and computes every hash: leaf, chain and completed Merkle nodes. */
function prepare(head: Head, batch: readonly Pending[]): Prepared {
  const hasher = new BatchHasher(head);
  for (const pending of batch) hasher.add(pending.entries, 0);
  return hasher.result();
}

/**
 * The same, in slices of SLICE_ENTRIES with a turn of the event loop between them: used while another batch
 * is being written, so its round trips (BEGIN, COPY, COMMIT) are not held up behind a long hashing run.
 */
async function prepareSliced(head: Head, batch: readonly Pending[]): Promise<Prepared> {
  const entries = batch.reduce((sum, pending) => sum + pending.entries.length, 0);
  // Laid out for COPY here, slice by slice, so that the write itself only sends: while one batch is written
  // this thread is otherwise idle, and the next write starts as soon as the previous one committed.
  const hasher = new BatchHasher(head, entries >= COPY_MIN_ENTRIES);
  for (const pending of batch) {
    for (let from = 0; from < pending.entries.length; from += SLICE_ENTRIES) {
      if (hasher.count > 0) await new Promise((resolve) => setImmediate(resolve));
      hasher.add(pending.entries, from, from + SLICE_ENTRIES);
    }
  }
  return hasher.result();
}

/**
 * About 0.4 ms of hashing: the database's answer to each round trip of the write in flight waits at most that
 * long. Measured on the ingest bench (2 cores, PostgreSQL): slices of 250 entries, 24,000 entries/s; of 32,
 * 32,000; of 16, no better.
 */
const SLICE_ENTRIES = 32;

/** Assigns seqs and computes hashes entry by entry, from a copy of `head`. */
class BatchHasher {
  private readonly appender: MerkleAppender;
  private readonly rows: Row[] = [];
  private readonly nodes: StoredNode[] = [];
  private readonly out: AppendResult[] = [];
  private seq: number;
  private prev: string;
  private copy = '';

  constructor(
    private readonly head: Head,
    private readonly copyAhead = false
  ) {
    this.appender = MerkleAppender.restore(head.size, head.appender.frontier());
    this.seq = head.size;
    this.prev = head.hash;
  }

  get count(): number {
    return this.rows.length;
  }

  /** Hashes entries[from, to) of one request; the request's result is recorded with its first slice. */
  add(entries: readonly AuditEntry[], from: number, to = entries.length): void {
    const start = this.rows.length;
    if (from === 0)
      this.out.push({ firstSeq: this.seq, lastSeq: this.seq + entries.length - 1, count: entries.length });
    for (let i = from; i < Math.min(to, entries.length); i++) {
      const entry = entries[i] as AuditEntry;
      entry.seq = this.seq;
      const bytes = entryBytes(entry);
      const leaf = leafHash(bytes);
      const current = chainHash(this.prev, bytes);
      this.rows.push({ entry, bytes, leaf: leaf.toString('hex'), prev: this.prev, current });
      for (const node of this.appender.append(leaf)) this.nodes.push(node);
      this.prev = current;
      this.seq += 1;
    }
    if (this.copyAhead) this.copy += copyText(this.rows, start);
  }

  result(): Prepared {
    return {
      from: { size: this.head.size, hash: this.head.hash },
      head: { size: this.seq, hash: this.prev, appender: this.appender },
      out: this.out,
      rows: this.rows,
      nodes: this.nodes,
      ...(this.copyAhead && { copy: this.copy }),
    };
  }
}

/**
 * Writes a prepared batch if the head is still where it was prepared from; false (nothing written) if not.
 * Small batches: one statement on `db`. Large ones: COPY, which needs `db` to be a transaction.
 */
async function store(db: Queryable, prepared: Prepared): Promise<boolean> {
  const { from, head, rows, nodes } = prepared;
  const nodeColumns = [nodes.map((n) => n.level), nodes.map((n) => n.index), nodes.map((n) => n.hash.toString('hex'))];
  if (rows.length < COPY_MIN_ENTRIES) {
    const applied = await db.query<{ applied: number }>(APPEND, [
      ...arrayColumns(rows),
      from.size,
      from.hash,
      head.size,
      head.hash,
      ...nodeColumns,
    ]);
    return applied.rows[0]?.applied === 1;
  }
  const moved = await db.query(MOVE_HEAD, [from.size, from.hash, head.size, head.hash]);
  if (moved.rowCount !== 1) return false;
  await db.copyFrom('audit_log', COPY_COLUMNS, prepared.copy ?? copyText(rows));
  if (nodes.length > 0) await db.query(INSERT_NODES, nodeColumns);
  return true;
}

interface Row {
  entry: AuditEntry;
  bytes: Buffer;
  leaf: string;
  prev: string;
  current: string;
}

/** The stored columns of a row, in COLUMNS order; null for absent values. Bytes stay as they are. */
function rowValues(row: Row): unknown[] {
  const { entry } = row;
  return [
    entry.seq,
    entry.id,
    entry.timestamp,
    orNull(entry.userId),
    orNull(entry.username),
    entry.action,
    entry.resource,
    orNull(entry.resourceId),
    orNull(entry.method),
    orNull(entry.path),
    json(entry.query),
    json(entry.body),
    orNull(entry.ip),
    orNull(entry.userAgent),
    entry.status,
    orNull(entry.statusCode),
    orNull(entry.responseTime),
    orNull(entry.errorMessage),
    json(entry.metadata),
    row.bytes,
    row.leaf,
    row.prev,
    row.current,
  ];
}

/** The first 23 parameters of APPEND: one array per column; bytes as base64, hashes as hex text. */
function arrayColumns(rows: readonly Row[]): unknown[][] {
  const columns: unknown[][] = Array.from({ length: 23 }, () => []);
  for (const row of rows) {
    rowValues(row).forEach((value, i) => {
      (columns[i] as unknown[]).push(value instanceof Buffer ? value.toString('base64') : value);
    });
  }
  return columns;
}

const COPY_COLUMNS = COLUMNS.split(',').map((c) => c.trim().replace(/"/g, ''));
const HASH_COLUMNS = new Set([20, 21, 22]);
const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** COPY text format of rows[from…]: tab-separated, \N for null, backslash escapes; bytea as \\x hex. */
function copyText(rows: readonly Row[], from = 0): string {
  let text = '';
  for (let r = from; r < rows.length; r++) {
    const values = rowValues(rows[r] as Row);
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      let field: string;
      if (value === null) field = '\\N';
      else if (value instanceof Buffer || HASH_COLUMNS.has(i)) {
        field = `\\\\x${value instanceof Buffer ? value.toString('hex') : String(value)}`;
      } else {
        field = String(value);
        if (COPY_SPECIAL.test(field)) field = field.replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c] as string);
      }
      text += i === 0 ? field : `\t${field}`;
    }
    text += '\n';
  }
  return text;
}
