import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { copySql, PG_TYPE, parseInt8, type Database, type Queryable, type QueryResult } from './types';

export interface PgliteOptions {
  /** Folder of the database files; `undefined` keeps the database in memory (tests). */
  dataDir: string | undefined;
  schema: string;
  /** Start an in-memory database from a `snapshot()` instead of initializing a new cluster (much faster). */
  snapshot?: Blob;
}

const parsers = { [PG_TYPE.INT8]: parseInt8, [pgliteTypes.NUMERIC]: (v: string) => v };

/** Embedded PostgreSQL (PGlite, compiled to WebAssembly): one connection, queries serialized by PGlite. */
export class PgliteDatabase implements Database {
  readonly kind = 'pglite';
  readonly location: string;
  private closed = false;

  private constructor(
    private readonly db: PGlite,
    location: string
  ) {
    this.location = location;
  }

  static async open(options: PgliteOptions): Promise<PgliteDatabase> {
    let db: PGlite;
    if (options.dataDir === undefined) {
      db = await PGlite.create({ parsers, loadDataDir: options.snapshot });
    } else {
      const dir = path.join(options.dataDir, 'pgdata');
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      db = await PGlite.create(dir, { parsers });
    }
    if (options.schema !== 'public') {
      await db.exec(`CREATE SCHEMA IF NOT EXISTS ${options.schema}; SET search_path TO ${options.schema};`);
    }
    const where = options.dataDir === undefined ? 'memory' : path.join(options.dataDir, 'pgdata');
    return new PgliteDatabase(db, `pglite:${where} (schema ${options.schema})`);
  }

  /** The whole database as a tarball, to start other in-memory databases from. */
  async snapshot(): Promise<Blob> {
    this.assertOpen();
    return this.db.dumpDataDir('none');
  }

  async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    this.assertOpen();
    const result = await this.db.query<R>(sql, params as unknown[] | undefined);
    return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
  }

  async exec(sql: string): Promise<void> {
    this.assertOpen();
    await this.db.exec(sql);
  }

  async copyFrom(table: string, columns: readonly string[], data: string): Promise<number> {
    this.assertOpen();
    return blobCopy(this.db, table, columns, data);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.assertOpen();
    return this.db.transaction(async (t) =>
      fn({
        query: async <R>(sql: string, params?: readonly unknown[]) => {
          const result = await t.query<R>(sql, params as unknown[] | undefined);
          return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
        },
        exec: async (sql) => {
          await t.exec(sql);
        },
        copyFrom: (table, columns, data) => blobCopy(t, table, columns, data),
      })
    );
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('database is closed');
  }
}

/** PGlite reads COPY data from the virtual file /dev/blob. */
async function blobCopy(
  db: Pick<PGlite, 'query'>,
  table: string,
  columns: readonly string[],
  data: string
): Promise<number> {
  const result = await db.query(copySql(table, columns, "'/dev/blob'"), [], { blob: new Blob([data]) });
  return result.affectedRows ?? 0;
}
