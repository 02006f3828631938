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

export interface AuditWriterOptions {
  redactFields: readonly string[];
  /** Most entries written in one transaction. */
  maxBatchEntries?: number;
  /** Told after each commit: how many entries, and how long the transaction took. */
  onCommit?: (count: number, seconds: number) => void;
}

interface Pending {
  /** Built, redacted and validated on arrival; only `seq` is assigned when the batch is written. */
  entries: AuditEntry[];
  resolve: (result: AppendResult) => void;
  reject: (err: unknown) => void;
}

const COLUMNS =
  'seq, id, "timestamp", user_id, username, action, resource, resource_id, method, path, query, body, ip_address, ' +
  'user_agent, status, status_code, response_time, error_message, metadata, canonical, leaf_hash, hash_prev, hash_current';

// One INSERT per batch: column arrays unnested. Hashes travel as hex and the canonical bytes as base64 text,
// which both drivers (pg and PGlite) serialize identically inside arrays.
const INSERT_ENTRIES = `INSERT INTO audit_log (${COLUMNS})
SELECT seq, id, ts, user_id, username, action, resource, resource_id, method, path, query, body, ip, user_agent,
       status, status_code, response_time, error_message, metadata,
       decode(canonical, 'base64'), decode(leaf, 'hex'), decode(prev, 'hex'), decode(cur, 'hex')
  FROM unnest($1::int8[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
              $9::text[], $10::text[], $11::jsonb[], $12::jsonb[], $13::inet[], $14::text[], $15::text[], $16::int4[],
              $17::float8[], $18::text[], $19::jsonb[], $20::text[], $21::text[], $22::text[], $23::text[])
    AS t(seq, id, ts, user_id, username, action, resource, resource_id, method, path, query, body, ip, user_agent,
         status, status_code, response_time, error_message, metadata, canonical, leaf, prev, cur)`;

const INSERT_NODES = `INSERT INTO audit_merkle_nodes (level, idx, hash)
SELECT level, idx, decode(hash, 'hex') FROM unnest($1::int2[], $2::int8[], $3::text[]) AS t(level, idx, hash)`;

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

export class AuditWriter {
  private readonly queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private appender: MerkleAppender | undefined;
  private readonly maxBatchEntries: number;

  constructor(
    private readonly db: Database,
    private readonly options: AuditWriterOptions
  ) {
    this.maxBatchEntries = options.maxBatchEntries ?? 5000;
  }

  /**
   * Validates and appends `inputs` in order, as consecutive seqs; resolves once they are committed.
   * Invalid input rejects with AuditInputError before anything is queued.
   */
  append(inputs: readonly AuditEventInput[]): Promise<AppendResult> {
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
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ entries, resolve, reject });
      this.flushing ??= this.drain();
    });
  }

  /** Resolves when everything queued so far is committed (or failed). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch: Pending[] = [];
        let count = 0;
        while (
          this.queue.length > 0 &&
          (batch.length === 0 || count + (this.queue[0] as Pending).entries.length <= this.maxBatchEntries)
        ) {
          const next = this.queue.shift() as Pending;
          batch.push(next);
          count += next.entries.length;
        }
        await this.write(batch);
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      const results = await this.db.transaction(async (tx) => {
        const head = await tx.query<{ tree_size: number; head_hash: Buffer }>(
          'SELECT tree_size, head_hash FROM audit_head FOR UPDATE'
        );
        const row = head.rows[0];
        if (!row) throw new Error('audit_head is missing: run the migrations');
        const appender = await this.appenderAt(tx, row.tree_size);
        const rows = new Rows();
        const nodes: StoredNode[] = [];
        let seq = row.tree_size;
        let prev = row.tree_size === 0 ? GENESIS_HASH : toHex(row.head_hash);
        const out: AppendResult[] = [];
        for (const pending of batch) {
          const firstSeq = seq;
          for (const entry of pending.entries) {
            entry.seq = seq;
            const bytes = entryBytes(entry);
            const leaf = leafHash(bytes);
            const current = chainHash(prev, bytes);
            rows.add(entry, bytes, leaf.toString('hex'), prev, current);
            nodes.push(...appender.append(leaf));
            prev = current;
            seq += 1;
          }
          out.push({ firstSeq, lastSeq: seq - 1, count: pending.entries.length });
        }
        await tx.query(INSERT_ENTRIES, rows.params());
        if (nodes.length > 0) {
          await tx.query(INSERT_NODES, [
            nodes.map((n) => n.level),
            nodes.map((n) => n.index),
            nodes.map((n) => n.hash.toString('hex')),
          ]);
        }
        await tx.query("UPDATE audit_head SET tree_size = $1, head_hash = decode($2, 'hex'), updated_at = now()", [
          seq,
          prev,
        ]);
        return { out, appender };
      });
      this.appender = results.appender;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.options.onCommit?.(
        results.out.reduce((n, r) => n + r.count, 0),
        seconds
      );
      batch.forEach((pending, i) => pending.resolve(results.out[i] as AppendResult));
    } catch (err) {
      this.appender = undefined; // the transaction rolled back: the cached frontier may be ahead of the table
      for (const pending of batch) pending.reject(err);
    }
  }

  /** A copy of the cached frontier when it matches the head, else one rebuilt from the stored nodes. */
  private async appenderAt(db: Queryable, size: number): Promise<MerkleAppender> {
    if (this.appender && this.appender.size === size) return MerkleAppender.restore(size, this.appender.frontier());
    const ids = perfectDecomposition(0, size);
    const lookup = await fetchNodes(db, ids);
    return MerkleAppender.restore(
      size,
      ids.map((id) => {
        const hash = lookup(id);
        if (!hash)
          throw new Error(`audit Merkle node ${nodeKey(id)} is missing: the trail is damaged, run audit verify`);
        return hash;
      })
    );
  }
}

/** Column arrays for INSERT_ENTRIES. */
class Rows {
  private readonly columns: unknown[][] = Array.from({ length: 23 }, () => []);

  add(entry: AuditEntry, bytes: Buffer, leaf: string, prev: string, current: string): void {
    const values: unknown[] = [
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
      bytes.toString('base64'),
      leaf,
      prev,
      current,
    ];
    values.forEach((value, i) => (this.columns[i] as unknown[]).push(value));
  }

  params(): unknown[][] {
    return this.columns;
  }
}
