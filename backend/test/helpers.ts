import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app';
import type { Tokens } from '../src/auth/tokens';
import { loadConfig, type Config } from '../src/config';
import { PgliteDatabase, PostgresDatabase, type Database } from '../src/db';
import { migrate } from '../src/db/migrate';
import type { AuditEventInput } from '../src/audit/entry';
import { loggerOptions } from '../src/logging';

export const TEST_TOKENS: Tokens = {
  viewer: 'v'.repeat(40),
  admin: 'a'.repeat(40),
  ingest: 'i'.repeat(40),
};

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export function tempDir(prefix = 'secops-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/**
 * Configuration as `loadConfig` builds it, with no YAML file unless `SOAR_CONFIG` is given. The scheduled audit
 * verification is off unless `AUDIT_VERIFY_INTERVAL_HOURS` is given: a test that outlives its start-up delay
 * would otherwise find a verification it did not ask for.
 */
export function testConfig(env: Record<string, string> = {}): Config {
  const cwd = tempDir();
  return loadConfig({ DATA_DIR: path.join(cwd, 'data'), AUDIT_VERIFY_INTERVAL_HOURS: '0', ...env }, { cwd });
}

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  /** A fresh, empty database (PostgreSQL: a schema of its own, dropped by `close`). */
  open(): Promise<Database>;
}

let pgliteSnapshot: Promise<Blob> | undefined;

/** A fresh in-memory PGlite, started from a snapshot of an empty cluster (4x faster than initializing one). */
async function openPglite(): Promise<Database> {
  pgliteSnapshot ??= PgliteDatabase.open({ dataDir: undefined, schema: 'public' }).then(async (template) => {
    const blob = await template.snapshot();
    await template.close();
    return blob;
  });
  return PgliteDatabase.open({ dataDir: undefined, schema: 'public', snapshot: await pgliteSnapshot });
}

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set. Storage tests run once per entry. */
export const testDatabases: TestDatabase[] = [
  { name: 'pglite', open: openPglite },
  ...(process.env.TEST_DATABASE_URL
    ? [{ name: 'postgres' as const, open: () => openPostgresSchema(process.env.TEST_DATABASE_URL as string) }]
    : []),
];

async function openPostgresSchema(url: string): Promise<Database> {
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const db = new PostgresDatabase({ url, schema, poolMax: 4, statementTimeoutMs: 30_000 });
  await db.exec(`CREATE SCHEMA ${schema}`);
  const close = db.close.bind(db);
  db.close = async () => {
    await db.exec(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
    await close();
  };
  return db;
}

/** Collects the JSON lines a pino logger writes. */
export function captureLogger(level: Config['logLevel'] = 'info'): {
  logger: Logger;
  lines: () => Record<string, unknown>[];
  raw: () => string;
} {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  const logger = pino(loggerOptions(level), sink);
  return {
    logger,
    raw: () => text,
    lines: () =>
      text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  config: Config;
  close(): Promise<void>;
}

/** A migrated database and the app built on it, with the fixed TEST_TOKENS. */
export async function createTestApp(
  options: { env?: Record<string, string>; db?: Database; logger?: Logger | false; migrate?: boolean } = {}
): Promise<TestApp> {
  const config = testConfig(options.env);
  const db = options.db ?? (await (testDatabases[0] as TestDatabase).open());
  if (options.migrate !== false) await migrate(db);
  const app = await buildApp({ config, db, tokens: TEST_TOKENS, logger: options.logger ?? false });
  await app.ready();
  return {
    app,
    db,
    config,
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}

/** A valid audit event numbered `i` (path /api/bans/i), with `extra` fields. */
export const auditEvent = (i: number, extra: Partial<AuditEventInput> = {}): AuditEventInput => ({
  action: 'read',
  resource: 'bans',
  status: 'success',
  ip: '192.0.2.1',
  path: `/api/bans/${i}`,
  ...extra,
});

/** Posts events to POST /api/audit/events as the ingest role, expects 201, and waits until they are written. */
export async function postAuditEvents(t: TestApp, events: readonly unknown[]): Promise<void> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/audit/events',
    headers: { ...bearer(TEST_TOKENS.ingest), 'content-type': 'application/json' },
    payload: events as unknown[],
  });
  expect(res.statusCode).toBe(201);
  await t.app.audit.flush();
}

/** The error `fn` throws, which must be an instance of `type`. */
export function thrown<E extends Error>(fn: () => unknown, type: new (...args: never[]) => E): E {
  try {
    fn();
  } catch (err) {
    if (err instanceof type) return err;
    throw err;
  }
  throw new Error(`expected a ${type.name}`);
}
