/**
 * HTTP baseline: requests/s and latency of the secops API, measured with autocannon over loopback
 * against the real server started as a child process (as `npm start` runs it), next to a bare Fastify
 * server in the same conditions so the cost of our plugins (auth, metrics, logging, rate limit) shows.
 * The same authenticated route is measured on a second server with the audit hook off, so the hook's
 * cost shows; and audit ingest (POST /api/audit/events in batches) next to a raw COPY of the same rows
 * into a table with the same columns and indexes.
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
const INGEST_TOKEN = 'c'.repeat(64);
const INGEST_BATCH = Number(process.env.BENCH_INGEST_BATCH ?? 1000);
const INGEST_CONNECTIONS = 4;

interface Row {
  case: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** How long the case ran, in seconds (autocannon's own measure). */
  seconds: number;
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

async function measure(
  name: string,
  url: string,
  headers: Record<string, string> = {},
  extra: Partial<autocannon.Options> = {}
): Promise<Row> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers, ...extra });
  return {
    case: name,
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    seconds: result.duration,
  };
}

function table(rows: Row[]): string {
  const header = '| case | requests | req/s (mean) | p50 ms | p99 ms | errors + non-2xx |';
  const line = '|---|---:|---:|---:|---:|---:|';
  const body = rows.map((r) => `| ${r.case} | ${r.requests} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} |`);
  return [header, line, ...body].join('\n');
}

/** One audit event as another application would post it. */
function ingestBody(): string {
  return JSON.stringify(
    Array.from({ length: INGEST_BATCH }, (_, i) => ({
      action: 'login',
      resource: 'session',
      resourceId: `s-${i}`,
      username: 'alice',
      ip: '198.51.100.7',
      userAgent: 'bench',
      status: i % 10 === 0 ? 'failure' : 'success',
      statusCode: i % 10 === 0 ? 401 : 200,
      metadata: { app: 'portal', attempt: i },
    }))
  );
}

/**
 * The raw-COPY peer: the rows the server just stored, copied out and COPYed into a table LIKE audit_log
 * (same columns and indexes), in batches of the ingest size. Entries/s of PostgreSQL alone.
 */
async function copyPeer(url: string, schema: string, rows: number): Promise<number> {
  const { Client } = await import('pg');
  const { from, to } = await import('pg-copy-streams');
  const client = new Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    await client.query('CREATE TABLE copy_peer (LIKE audit_log INCLUDING ALL)');
    const chunks: Buffer[] = [];
    const out = client.query(to(`COPY (SELECT * FROM audit_log ORDER BY seq LIMIT ${rows}) TO STDOUT`));
    for await (const chunk of out) chunks.push(chunk as Buffer);
    const lines = Buffer.concat(chunks)
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '');
    const started = process.hrtime.bigint();
    for (let i = 0; i < lines.length; i += INGEST_BATCH) {
      const stream = client.query(from('COPY copy_peer FROM STDIN'));
      await new Promise<void>((resolve, reject) => {
        stream.on('error', reject);
        stream.on('finish', resolve);
        stream.end(`${lines.slice(i, i + INGEST_BATCH).join('\n')}\n`);
      });
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return Math.round(lines.length / seconds);
  } finally {
    await client.end();
  }
}

/** Runs the HTTP and audit-ingest cases and prints their tables. */
export async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'secops-bench-'));
  const databaseUrl = process.env.DATABASE_URL;
  const schema = `bench_${process.pid}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn', // a log line per request would measure the terminal, not the API
    RATE_LIMIT_MAX: '10000000',
    SECOPS_VIEWER_TOKEN: TOKEN,
    SECOPS_INGEST_TOKEN: INGEST_TOKEN,
    AUDIT_MAX_BATCH_SIZE: String(Math.max(INGEST_BATCH, 5000)),
    BODY_LIMIT_BYTES: String(64 * 1024 * 1024),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema } : {}),
  };
  const bin = path.join(packageRoot(), 'bin', 'cartae-secops.js');
  const peerScript = `
    const app = require('fastify')();
    app.get('/health', async () => ({ status: 'ok' }));
    app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });`;

  const children: ChildProcess[] = [];
  const audit: string[] = [];
  try {
    const api = await start([bin, 'serve'], env);
    children.push(api.child);
    const unaudited = await start([bin, 'serve'], {
      ...env,
      AUDIT_CAPTURE_REQUESTS: 'false',
      DATA_DIR: `${dataDir}-unaudited`,
      ...(databaseUrl ? { DATABASE_SCHEMA: `${schema}_unaudited` } : {}),
    });
    children.push(unaudited.child);
    const peer = await start(['-e', peerScript], { PATH: process.env.PATH });
    children.push(peer.child);
    const auth = { authorization: `Bearer ${TOKEN}` };

    process.stderr.write(`measuring ${DURATION} s per case with ${CONNECTIONS} connections…\n`);
    const rows: Row[] = [];
    rows.push(await measure('peer: bare Fastify GET /health', `${peer.url}/health`));
    rows.push(await measure('GET /health (no token)', `${api.url}/health`));
    const off = await measure('GET /api/system/session, audit hook off', `${unaudited.url}/api/system/session`, auth);
    const on = await measure('GET /api/system/session, audit hook on', `${api.url}/api/system/session`, auth);
    rows.push(off, on);
    rows.push(await measure('GET /api/system/info (viewer token, 1 SQL query)', `${api.url}/api/system/info`, auth));
    const ingest = await measure(
      `POST /api/audit/events (${INGEST_BATCH} events per request, ${INGEST_CONNECTIONS} connections)`,
      `${api.url}/api/audit/events`,
      { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
      { method: 'POST', body: ingestBody(), connections: INGEST_CONNECTIONS }
    );
    rows.push(ingest);
    const hookCost = off.rps > 0 ? (1 - on.rps / off.rps) * 100 : 0;
    // From the total and the run's length: the per-second mean is rounded to whole requests of INGEST_BATCH.
    const ingestRate = Math.round((ingest.requests * INGEST_BATCH) / ingest.seconds);
    audit.push(`| audit hook cost on an authenticated route | ${hookCost.toFixed(1)}% of requests/s |`);
    audit.push(`| durable ingest through the API | ${ingestRate} entries/s |`);
    if (databaseUrl) {
      const copyRate = await copyPeer(databaseUrl, schema, Math.min(ingest.requests * INGEST_BATCH, 200_000));
      audit.push(`| raw COPY of the same rows into a LIKE audit_log table | ${copyRate} entries/s |`);
      audit.push(`| ingest / raw COPY | ${((ingestRate / copyRate) * 100).toFixed(0)}% |`);
    }
    const database = databaseUrl ? 'PostgreSQL' : 'PGlite';
    process.stdout.write(
      `\nHTTP baseline (${database}, ${CONNECTIONS} connections, ${DURATION} s each, loopback)\n\n${table(rows)}\n` +
        `\nAudit trail\n\n| measure | value |\n|---|---:|\n${audit.join('\n')}\n`
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(`${dataDir}-unaudited`, { recursive: true, force: true });
    if (databaseUrl) await dropSchemas(databaseUrl, [schema, `${schema}_unaudited`]);
  }
}

async function dropSchemas(url: string, schemas: string[]): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (const name of schemas) await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
  } finally {
    await client.end();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
