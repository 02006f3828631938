// Running the real pieces for the live check (live-prometheus.test.mjs): the secops backend (its command, through
// tsx, on PGlite or on a schema of its own in TEST_DATABASE_URL), Prometheus (the Debian binary) scraping it with a
// configuration derived from prometheus.yml, and the demo traffic generator. Loopback only. Alertmanager, which
// Prometheus then scrapes and alerts, is in live-alertmanager.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { stringify } from 'yaml';
import { provisioningDir, readYaml, repoPath } from './helpers.mjs';

const BACKEND_DIR = repoPath('backend');
const LOG_TAIL = 40;

/** Whether `command` is on PATH. */
export function installed(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

/** A port nothing listens on now (Prometheus cannot report the port it picked for :0). */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => server.listen(0, '127.0.0.1', resolve).on('error', reject));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function waitFor(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (${last.message})` : ''}`);
}

/** A child process whose output is kept (the last lines, for failure messages) and which is stopped with stop(). */
function supervise(name, child) {
  const tail = [];
  const keep = (chunk) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      tail.push(line);
      if (tail.length > LOG_TAIL) tail.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    exited,
    log: () => `${name}, last lines:\n${tail.join('\n')}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The tokens of each role, and the metrics token, for one run. */
export function makeTokens() {
  const token = () => randomBytes(24).toString('hex');
  return { viewer: token(), admin: token(), ingest: token(), metrics: token() };
}

/** A schema of its own in TEST_DATABASE_URL's database, dropped by drop(); undefined without TEST_DATABASE_URL. */
export async function postgresSchema(url) {
  if (!url) return undefined;
  const schema = `live_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  return {
    schema,
    async drop() {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}

/** The backend's environment: its tokens, a data folder, a database, Fail2ban pointed at `fail2banClient`. */
export function backendEnv({ dir, tokens, database, fail2banClient }) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    DATA_DIR: path.join(dir, 'backend-data'),
    SECOPS_VIEWER_TOKEN: tokens.viewer,
    SECOPS_ADMIN_TOKEN: tokens.admin,
    SECOPS_INGEST_TOKEN: tokens.ingest,
    METRICS_TOKEN: tokens.metrics,
    // Low enough that the demo's HTTP flood reaches it quickly; its ordinary traffic stays below.
    RATE_LIMIT_MAX: '400',
    FAIL2BAN_CLIENT: fail2banClient,
    AUDIT_VERIFY_INTERVAL_HOURS: '0',
    ...(database && { DATABASE_URL: database.url, DATABASE_SCHEMA: database.schema }),
  };
}

/** Starts `cartae-secops serve` from the sources; resolves with its URL once it listens. */
export async function startBackend(env) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'serve'], {
    cwd: BACKEND_DIR,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const process_ = supervise('backend', child);
  let buffered = '';
  const listening = Promise.race([
    new Promise((resolve) => {
      const onData = (chunk) => {
        buffered += chunk.toString('utf8');
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(buffered);
        if (match) {
          child.stdout.off('data', onData);
          buffered = '';
          resolve(match[1]);
        } else if (buffered.length > 1 << 20) buffered = buffered.slice(-4096);
      };
      child.stdout.on('data', onData);
    }),
    process_.exited.then(({ code, signal }) => {
      throw new Error(`the backend exited (${code ?? signal}) before listening\n${process_.log()}`);
    }),
    sleep(120_000, undefined, { ref: false }).then(() => {
      throw new Error(`the backend did not listen within 120 s\n${process_.log()}`);
    }),
  ]);
  try {
    return { ...process_, url: await listening };
  } catch (err) {
    await process_.stop();
    throw err;
  }
}

/**
 * prometheus.yml as the stack has it, pointed at this run: the backend job (metrics path, bearer token from a
 * file), Prometheus's own job and, when one runs here (`alertmanagerPort`), the Alertmanager alerts are sent to and
 * its scrape job, their targets and secret files replaced; every rule file of rules/; short intervals.
 */
export function writePrometheusConfig({
  dir,
  backendUrl,
  prometheusPort,
  alertmanagerPort,
  metricsToken,
  intervalSeconds,
}) {
  const stack = readYaml(path.join(provisioningDir, 'prometheus', 'prometheus.yml'));
  const job = (name) => structuredClone(stack.scrape_configs.find((j) => j.job_name === name));
  mkdirSync(path.join(dir, 'secrets'), { recursive: true });
  writeFileSync(path.join(dir, 'secrets', 'metrics_token'), `${metricsToken}\n`, { mode: 0o600 });
  const backend = job('cartae-secops');
  backend.static_configs = [{ targets: [new URL(backendUrl).host] }];
  backend.authorization.credentials_file = path.join(dir, 'secrets', 'metrics_token');
  const self = job('prometheus');
  self.static_configs = [{ targets: [`127.0.0.1:${prometheusPort}`] }];
  const interval = `${intervalSeconds}s`;
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    rule_files: [path.join(provisioningDir, 'prometheus', 'rules', '*.yml')],
    scrape_configs: [self, backend],
  };
  if (alertmanagerPort !== undefined) {
    const targets = [`127.0.0.1:${alertmanagerPort}`];
    config.alerting = structuredClone(stack.alerting);
    config.alerting.alertmanagers[0].static_configs = [{ targets }];
    const alertmanager = job('alertmanager');
    alertmanager.static_configs = [{ targets }];
    config.scrape_configs.push(alertmanager);
  }
  const file = path.join(dir, 'prometheus.yml');
  writeFileSync(file, stringify(config));
  return file;
}

/**
 * Starts a server (Prometheus, Alertmanager) that answers `${url}/-/ready` once it is; resolves when it does, and
 * fails with the server's last lines when it exits first.
 */
export async function startServer({ name, command, args, url }) {
  const process_ = supervise(name, spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  try {
    await Promise.race([
      waitFor(`${name} to be ready`, async () => (await fetch(`${url}/-/ready`)).ok, 60_000),
      process_.exited.then(({ code, signal }) => {
        throw new Error(`${name} exited (${code ?? signal})\n${process_.log()}`);
      }),
    ]);
  } catch (err) {
    await process_.stop();
    throw err;
  }
  return { ...process_, url };
}

/** Starts the real Prometheus on loopback with a temporary data folder; resolves once it is ready. */
export function startPrometheus({ dir, configFile, port }) {
  return startServer({
    name: 'prometheus',
    command: 'prometheus',
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    url: `http://127.0.0.1:${port}`,
  });
}

/** Runs `cartae-secops demo` from the sources against the backend, for `seconds`; resolves with its output. */
export async function runDemo({ backendUrl, tokens, seconds }) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/index.ts', 'demo', '--url', backendUrl, '--duration', String(seconds), '--rate', '4'],
    {
      cwd: BACKEND_DIR,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        SECOPS_VIEWER_TOKEN: tokens.viewer,
        SECOPS_ADMIN_TOKEN: tokens.admin,
        SECOPS_INGEST_TOKEN: tokens.ingest,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk) => (output += chunk.toString('utf8')));
  const [code] = await new Promise((resolve) => child.once('exit', (...args) => resolve(args)));
  if (code !== 0) throw new Error(`the demo exited with ${code}:\n${output}`);
  return output;
}

/** Prometheus's HTTP API: GET `path` with `params`, the `data` of a success, or an error with Prometheus's reason. */
export async function prometheusApi(baseUrl, apiPath, params = {}) {
  const url = new URL(`/api/v1/${apiPath}`, baseUrl);
  for (const [key, value] of Object.entries(params)) {
    for (const one of [value].flat()) url.searchParams.append(key, one);
  }
  const res = await fetch(url);
  const body = await res.json();
  if (body.status !== 'success') throw new Error(`${body.errorType}: ${body.error}`);
  return body.data;
}
