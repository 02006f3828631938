/** Scratch space of the e2e tests: temporary folders and PostgreSQL schemas, removed by `removeScratch`. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';

const scratch: { schemas: string[]; dirs: string[] } = { schemas: [], dirs: [] };

export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'secops-durability-'));
  scratch.dirs.push(dir);
  return dir;
}

export function scratchSchema(): string {
  const schema = `e2e_${randomBytes(6).toString('hex')}`;
  scratch.schemas.push(schema);
  return schema;
}

/** Drops the schemas and removes the folders handed out since the last call. */
export async function removeScratch(pool: pg.Pool): Promise<void> {
  for (const schema of scratch.schemas.splice(0)) await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  for (const dir of scratch.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
