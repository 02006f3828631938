import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-info';
import type { Database, Queryable } from './types';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  applied: { version: number; name: string; appliedAt: Date }[];
  pending: Migration[];
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export const MIGRATIONS_DIR = path.join(packageRoot(), 'migrations');
const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;
// Any constant works: it only has to be the same for every process that migrates this database.
const LOCK_KEY = 0x5ec0_0001;

/** Reads `NNNN_name.sql` files in version order. Versions must be unique. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = FILE_PATTERN.exec(file);
      if (!match) throw new MigrationError(`migration file ${file} is not named NNNN_name.sql`);
      const sql = readFileSync(path.join(dir, file), 'utf8');
      return {
        version: Number(match[1]),
        name: match[2] ?? '',
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (i > 0 && migrations[i - 1]?.version === m.version) {
      throw new MigrationError(`two migrations share version ${String(m.version).padStart(4, '0')}`);
    }
  });
  return migrations;
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
  applied_at: Date;
}

async function appliedRows(db: Queryable): Promise<AppliedRow[] | null> {
  const exists = await db.query<{ present: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`);
  if (!exists.rows[0]?.present) return null;
  const result = await db.query<AppliedRow>(
    'SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version'
  );
  return result.rows;
}

function pendingFrom(applied: AppliedRow[], migrations: Migration[]): Migration[] {
  const byVersion = new Map(applied.map((row) => [row.version, row]));
  for (const m of migrations) {
    const row = byVersion.get(m.version);
    if (row && row.checksum !== m.checksum) {
      throw new MigrationError(
        `migration ${String(m.version).padStart(4, '0')}_${m.name} was changed after it was applied; ` +
          'add a new migration instead of editing an applied one'
      );
    }
  }
  return migrations.filter((m) => !byVersion.has(m.version));
}

/** What is applied and what is not, without changing anything. */
export async function migrationStatus(
  db: Queryable,
  migrations: Migration[] = loadMigrations()
): Promise<MigrationStatus> {
  const applied = (await appliedRows(db)) ?? [];
  return {
    applied: applied.map((row) => ({ version: row.version, name: row.name, appliedAt: row.applied_at })),
    pending: pendingFrom(applied, migrations),
  };
}

/**
 * Applies pending migrations in one transaction, under a PostgreSQL advisory lock so that several
 * processes starting together apply each migration exactly once. Applying twice is a no-op.
 */
export async function migrate(db: Database, migrations: Migration[] = loadMigrations()): Promise<Migration[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.exec(CREATE_TABLE);
    const pending = pendingFrom((await appliedRows(tx)) ?? [], migrations);
    for (const m of pending) {
      try {
        await tx.exec(m.sql);
      } catch (err) {
        throw new MigrationError(
          `migration ${String(m.version).padStart(4, '0')}_${m.name} failed: ${(err as Error).message}`
        );
      }
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        m.checksum,
      ]);
    }
    return pending;
  });
}
