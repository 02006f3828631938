import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app';
import { ROLES } from './auth/roles';
import { resolveTokens, tokenEnvName } from './auth/tokens';
import type { Config } from './config';
import { openDatabase, type Database } from './db';
import { migrate } from './db/migrate';
import { createLogger } from './logging';
import { syncRetentionDays } from './audit/archive';

export interface RunningServer {
  app: FastifyInstance;
  db: Database;
  /** e.g. http://127.0.0.1:3010 */
  url: string;
  /** Stops accepting connections, lets in-flight requests finish (up to the shutdown timeout), closes the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  heartbeatMs?: number;
}

/** Opens the database, applies migrations, builds the app and listens. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.logger ?? createLogger(config.logLevel);
  log.info({ configFile: config.configFile ?? '(none, built-in defaults)' }, 'starting cartae-secops');

  const { tokens, stored } = resolveTokens(
    { viewer: config.auth.viewerToken, admin: config.auth.adminToken, ingest: config.auth.ingestToken },
    config.dataDir
  );
  for (const { role, file, created } of stored) {
    log.info(
      { role, file },
      `${created ? 'generated' : 'using'} the ${role} token stored in ${file} (mode 0600); set ${tokenEnvName(role)} to choose your own`
    );
  }

  const db = await openDatabase(config, (err) => log.error({ err }, 'idle database connection failed'));
  try {
    const applied = await migrate(db);
    await syncRetentionDays(db, config.audit.retentionDays);
    log.info(
      { database: db.location, applied: applied.map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`) },
      applied.length > 0 ? `applied ${applied.length} migration(s)` : 'database schema is up to date'
    );
    const app = await buildApp({ config, db, tokens, logger: log, heartbeatMs: options.heartbeatMs });
    await listen(app, config);
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.server.port;
    const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
    const url = `http://${host}:${port}`;
    log.info({ url, roles: ROLES }, `cartae-secops listening on ${url} (API docs: ${url}/docs)`);
    return { app, db, url, close: () => shutdown(app, db, config.server.shutdownTimeoutMs, log) };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

async function listen(app: FastifyInstance, config: Config): Promise<void> {
  try {
    await app.listen({ host: config.server.host, port: config.server.port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new Error(`${config.server.host}:${config.server.port} is already in use; set PORT to another port`);
    }
    if (code === 'EADDRNOTAVAIL') throw new Error(`HOST ${config.server.host} is not an address of this machine`);
    throw err;
  }
}

export async function shutdown(app: FastifyInstance, db: Database, timeoutMs: number, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([app.close().then(() => 'closed' as const), deadline]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    log.warn({ timeoutMs }, 'in-flight requests did not finish before the shutdown timeout; closing connections');
    app.server.closeAllConnections();
  }
  await db.close();
  log.info('cartae-secops stopped');
}

/** SIGTERM/SIGINT close the server gracefully; a second signal exits at once. */
export function closeOnSignals(server: RunningServer, log: Logger): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    closing = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      }
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
