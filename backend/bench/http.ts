/**
 * HTTP baseline: requests/s and latency of the secops API, measured with autocannon over loopback
 * against the real server started as a child process (as `npm start` runs it), next to a bare Fastify
 * server in the same conditions so the cost of our plugins (auth, metrics, logging, rate limit) shows.
 *
 *   npm run bench                      # 5 s per case, 20 connections
 *   BENCH_DURATION=10 BENCH_CONNECTIONS=50 npm run bench
 *   DATABASE_URL=postgresql://… npm run bench   # against PostgreSQL instead of embedded PGlite
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { packageRoot } from '../src/package-info';

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const TOKEN = 'b'.repeat(64);

interface Row {
  case: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a server process on a free loopback port and waits until GET /health answers. */
async function start(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    env: { ...env, PORT: String(port) },
    cwd: packageRoot(),
    stdio: 'inherit',
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false
    );
    if (ok) return { child, url };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error(`${args.join(' ')} did not answer on ${url} within 60 s`);
}

async function measure(name: string, url: string, headers: Record<string, string> = {}): Promise<Row> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
  return {
    case: name,
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

function table(rows: Row[]): string {
  const header = '| case | requests | req/s (mean) | p50 ms | p99 ms | errors + non-2xx |';
  const line = '|---|---:|---:|---:|---:|---:|';
  const body = rows.map((r) => `| ${r.case} | ${r.requests} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} |`);
  return [header, line, ...body].join('\n');
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'secops-bench-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn', // a log line per request would measure the terminal, not the API
    RATE_LIMIT_MAX: '10000000',
    SECOPS_VIEWER_TOKEN: TOKEN,
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  };
  const bin = path.join(packageRoot(), 'bin', 'cartae-secops.js');
  const peerScript = `
    const app = require('fastify')();
    app.get('/health', async () => ({ status: 'ok' }));
    app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });`;

  const children: ChildProcess[] = [];
  try {
    const api = await start([bin, 'serve'], env);
    children.push(api.child);
    const peer = await start(['-e', peerScript], { PATH: process.env.PATH });
    children.push(peer.child);
    const auth = { authorization: `Bearer ${TOKEN}` };

    process.stderr.write(`measuring ${DURATION} s per case with ${CONNECTIONS} connections…\n`);
    const rows: Row[] = [];
    rows.push(await measure('peer: bare Fastify GET /health', `${peer.url}/health`));
    rows.push(await measure('GET /health (no token)', `${api.url}/health`));
    rows.push(await measure('GET /api/system/session (viewer token)', `${api.url}/api/system/session`, auth));
    rows.push(await measure('GET /api/system/info (viewer token, 1 SQL query)', `${api.url}/api/system/info`, auth));
    const database = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
    process.stdout.write(
      `\nHTTP baseline (${database}, ${CONNECTIONS} connections, ${DURATION} s each, loopback)\n\n${table(rows)}\n`
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
