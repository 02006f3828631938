export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

/** Anything that runs SQL: the database itself or a transaction on it. */
export interface Queryable {
  /** One statement with `$1…$n` parameters. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** A script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Bulk load: `COPY table (columns) FROM STDIN` with `data` in COPY text format (tab-separated, `\N` for
   * null, one row per line). Resolves with the number of rows loaded.
   */
  copyFrom(table: string, columns: readonly string[], data: string): Promise<number>;
}

/** The COPY statement both implementations run; only the source differs (a stream, or PGlite's blob). */
export function copySql(table: string, columns: readonly string[], source: string): string {
  const quoted = columns.map((c) => `"${c.replace(/"/g, '""')}"`).join(', ');
  return `COPY ${table} (${quoted}) FROM ${source}`;
}

export type DatabaseKind = 'postgres' | 'pglite';

/**
 * The storage interface. Both implementations run the same SQL and return the same JavaScript values:
 * int8 as number, numeric as string, timestamptz as Date, json/jsonb parsed.
 */
export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** Where the data lives, for logs and `/api/system/info` (never includes a password). */
  readonly location: string;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** PostgreSQL type ids whose parsing both implementations agree on. */
export const PG_TYPE = { INT8: 20 } as const;

export function parseInt8(value: string): number {
  return Number(value);
}
