import type { Config } from '../config';
import { PgliteDatabase } from './pglite';
import { PostgresDatabase } from './postgres';
import type { Database } from './types';

export type { Database, DatabaseKind, Queryable, QueryResult } from './types';
export { PgliteDatabase } from './pglite';
export { PostgresDatabase } from './postgres';

/** PostgreSQL when `DATABASE_URL` is set, embedded PGlite in the data folder otherwise. */
export async function openDatabase(
  config: Pick<Config, 'database' | 'dataDir'>,
  onIdleError?: (err: Error) => void
): Promise<Database> {
  const { url, schema, poolMax, statementTimeoutMs } = config.database;
  if (url !== undefined) {
    const db = new PostgresDatabase({ url, schema, poolMax, statementTimeoutMs, onIdleError });
    await db.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    return db;
  }
  return PgliteDatabase.open({ dataDir: config.dataDir, schema });
}
