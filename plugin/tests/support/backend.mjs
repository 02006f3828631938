// Starts the real backend for the e2e run (`cartae-secops serve`, built by prepare.mjs): PGlite in a temporary
// DATA_DIR, or PostgreSQL (TEST_DATABASE_URL) in a schema of its own, dropped when Playwright stops this process.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFail2ban } from './fail2ban.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'secops-plugin-e2e-'));
const env = process.env;
const schema = env.E2E_DATABASE_SCHEMA;
const fail2ban = await startFail2ban(dataDir);

const child = spawn(process.execPath, [path.join(root, 'backend/bin/cartae-secops.js'), 'serve'], {
  // cwd: the data folder, so that no YAML configuration file of the checkout applies
  cwd: dataDir,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    PATH: env.PATH ?? '',
    // E2E_BACKEND_HOST=0.0.0.0 when a Grafana outside this machine's loopback (e.g. in Docker) must reach it
    HOST: env.E2E_BACKEND_HOST ?? '127.0.0.1',
    PORT: env.E2E_BACKEND_PORT,
    DATA_DIR: dataDir,
    ...(env.TEST_DATABASE_URL ? { DATABASE_URL: env.TEST_DATABASE_URL, DATABASE_SCHEMA: schema } : {}),
    ...(fail2ban ? { FAIL2BAN_SOCKET: fail2ban.socket } : { FAIL2BAN_ENABLED: 'false' }),
    SECOPS_VIEWER_TOKEN: env.SECOPS_VIEWER_TOKEN,
    SECOPS_ADMIN_TOKEN: env.SECOPS_ADMIN_TOKEN,
    SECOPS_INGEST_TOKEN: env.SECOPS_INGEST_TOKEN,
    RATE_LIMIT_MAX: '1000000',
    AUDIT_VERIFY_INTERVAL_HOURS: '0',
    LOG_LEVEL: env.E2E_BACKEND_LOG_LEVEL ?? 'warn',
  },
});

async function cleanUp() {
  await fail2ban?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  if (env.TEST_DATABASE_URL && schema) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: env.TEST_DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}

// Stopped by Playwright with a signal: stop the backend, drop the run's schema, exit 0. If the backend dies on its
// own, clean up and exit 1 so that Playwright reports the web server as failed instead of waiting for it.
let stopping = false;
async function stop() {
  if (stopping) {
    return;
  }
  stopping = true;
  child.kill('SIGTERM');
  await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve()));
  await cleanUp().catch((err) => console.error('e2e backend clean-up failed', err));
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
child.on('exit', (code) => {
  if (!stopping) {
    console.error(`e2e backend exited with ${code}`);
    void cleanUp().finally(() => process.exit(1));
  }
});
