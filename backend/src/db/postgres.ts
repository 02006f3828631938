import pg from 'pg';
import { from as copyStream, to as copyOutStream } from 'pg-copy-streams';
import { copySql, PG_TYPE, parseInt8, type Database, type Queryable, type QueryResult } from './types';

export interface PostgresOptions {
  url: string;
  schema: string;
  poolMax: number;
  statementTimeoutMs: number;
  /** Called when an idle pooled connection fails (otherwise pg would crash the process). */
  onIdleError?: (err: Error) => void;
}

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === PG_TYPE.INT8 ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** PostgreSQL through a `pg` pool. The schema is selected per connection with `search_path`. */
export class PostgresDatabase implements Database {
  readonly kind = 'postgres';
  readonly location: string;
  private readonly pool: pg.Pool;

  constructor(options: PostgresOptions) {
    const url = new URL(options.url);
    this.location = `postgresql://${url.hostname}:${url.port || 5432}${url.pathname} (schema ${options.schema})`;
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      options: `-c search_path=${options.schema} -c statement_timeout=${options.statementTimeoutMs}`,
      application_name: 'cartae-secops',
      types,
    });
    this.pool.on('error', (err) => options.onIdleError?.(err));
  }

  async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    const result = await this.pool.query(sql, params as unknown[] | undefined);
    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async copyFrom(table: string, columns: readonly string[], data: string): Promise<number> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      return await copyInto(client, table, columns, data);
    } catch (err) {
      broken = !(err instanceof pg.DatabaseError); // a server-side error leaves the connection usable
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Streams the bytes of `COPY (…) TO STDOUT`. A connection is held while the iteration runs; when the caller
   * stops early, or the stream fails, the connection is discarded rather than handed back mid-COPY.
   */
  async *copyTo(sql: string): AsyncGenerator<Buffer> {
    const client = await this.pool.connect();
    let complete = false;
    try {
      const stream = client.query(copyOutStream(sql));
      for await (const chunk of stream) yield chunk as Buffer;
      complete = true;
    } finally {
      client.release(!complete);
    }
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx: Queryable = {
      query: async <R>(sql: string, params?: readonly unknown[]) => {
        const result = await client.query(sql, params as unknown[] | undefined);
        return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
      },
      exec: async (sql) => {
        await client.query(sql);
      },
      copyFrom: (table, columns, data) => copyInto(client, table, columns, data),
    };
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection itself failed: do not hand it back to the pool
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

async function copyInto(
  client: pg.PoolClient,
  table: string,
  columns: readonly string[],
  data: string
): Promise<number> {
  const stream = client.query(copyStream(copySql(table, columns, 'STDIN')));
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', resolve);
    stream.end(data);
  });
  return stream.rowCount;
}
