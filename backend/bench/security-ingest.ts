/**
 * Live ingestion: events/s through POST /api/security/events on PostgreSQL, the real server started as a child
 * process (as `npm start` runs it), with the shipped rules deciding bans, every security-relevant event and every
 * decision written to the audit trail. Realistic batches (bench/security-traffic.ts: ordinary traffic, new attackers
 * in every batch) are posted by concurrent clients for BENCH_DURATION seconds; the server's resident memory is
 * sampled throughout. Next to it, the peer: a raw COPY of the same stored rows into a table LIKE security_events
 * (same indexes), the database's own limit on this machine. Targets: ≥ 20,000 events/s, peak RSS < 300 MB.
 *
 *   npm run build && DATABASE_URL=postgresql://postgres@127.0.0.1:5432/secops_bench node dist/bench/security-ingest.js
 *   BENCH_DURATION=20 BENCH_SECURITY_CLIENTS=8 BENCH_SECURITY_BATCH=1000 …
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { packageRoot } from '../src/package-info';
import { cpuSeconds, residentMb } from './process-cpu';
import { TrafficGenerator } from './security-traffic';

const TOKEN = 'd'.repeat(64);
export const TARGET_EVENTS_PER_SECOND = 20_000;
export const TARGET_RSS_MB = 300;

export interface SecurityIngestBenchResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  bans: number;
  auditEntries: number;
  batchP50Ms: number;
  batchP99Ms: number;
  errors: number;
  rssPeakMb: number;
  /** CPU seconds of the server process (all threads) and of its PostgreSQL backends during the run. */
  serverCpuSeconds: number;
  databaseCpuSeconds: number;
  copyPeerPerSecond: number;
}

const positive = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startServer(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const bin = path.join(packageRoot(), 'bin', 'cartae-secops.js');
  // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", shows where the server spends its time.
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter((a) => a !== '') ?? [];
  const child = spawn(process.execPath, [...nodeArgs, bin, 'serve'], {
    env: { ...env, PORT: String(port) },
    stdio: 'inherit',
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    if (
      await fetch(`${url}/ready`).then(
        (r) => r.ok,
        () => false
      )
    )
      return { child, url };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error(`the server did not become ready on ${url} within 60 s`);
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

/** Posts batches from `clients` concurrent clients until `seconds` have passed. */
async function load(url: string, seconds: number, clients: number, batch: number) {
  const generator = new TrafficGenerator({ size: batch, attackersPerBatch: 3 });
  const latencies: number[] = [];
  let events = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const client = async () => {
    while (performance.now() < deadline) {
      const body = generator.next();
      const t0 = performance.now();
      const res = await fetch(`${url}/api/security/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body,
      });
      const text = await res.text();
      latencies.push(performance.now() - t0);
      if (res.status === 200) events += (JSON.parse(text) as { accepted: number }).accepted;
      else if (errors++ === 0)
        process.stderr.write(`security ingest bench: HTTP ${res.status}: ${text.slice(0, 300)}\n`);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  latencies.sort((a, b) => a - b);
  return { events, errors, seconds: (performance.now() - started) / 1000, latencies };
}

/** COPY the stored events out and into a table LIKE security_events (indexes included), in batches: rows/s. */
async function copyPeer(db: pg.Client, rows: number, batch: number): Promise<number> {
  await db.query('CREATE TABLE copy_peer (LIKE security_events INCLUDING ALL)');
  const chunks: Buffer[] = [];
  for await (const chunk of db.query(copyTo(`COPY (SELECT * FROM security_events LIMIT ${rows}) TO STDOUT`))) {
    chunks.push(chunk as Buffer);
  }
  const lines = Buffer.concat(chunks)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '');
  const started = performance.now();
  for (let i = 0; i < lines.length; i += batch) {
    const stream = db.query(copyFrom('COPY copy_peer FROM STDIN'));
    await new Promise<void>((resolve, reject) => {
      stream.on('error', reject);
      stream.on('finish', resolve);
      stream.end(`${lines.slice(i, i + batch).join('\n')}\n`);
    });
  }
  return Math.round(lines.length / ((performance.now() - started) / 1000));
}

export function formatSecurityIngestTable(r: SecurityIngestBenchResult, clients: number, batch: number): string {
  const ok = (good: boolean) => (good ? 'yes' : '**no**');
  const cpu = r.serverCpuSeconds + r.databaseCpuSeconds;
  const perCpu = cpu > 0 ? Math.round(r.events / cpu) : 0;
  return [
    `Live ingestion: POST /api/security/events on PostgreSQL (${clients} clients × ${batch} events per request, ` +
      `${r.seconds.toFixed(1)} s; 2 shared cores: numbers are noisy)`,
    '',
    '| measure | value | target | met |',
    '|---|---:|---:|:-:|',
    `| events ingested (rules, decisions, audit, committed) | ${r.eventsPerSecond.toLocaleString('en')} events/s | ≥ ${TARGET_EVENTS_PER_SECOND.toLocaleString('en')} | ${ok(r.eventsPerSecond >= TARGET_EVENTS_PER_SECOND)} |`,
    `| backend resident memory, peak | ${r.rssPeakMb.toFixed(0)} MB | < ${TARGET_RSS_MB} MB | ${ok(r.rssPeakMb < TARGET_RSS_MB)} |`,
    `| peer: raw COPY of the same rows (LIKE security_events) | ${r.copyPeerPerSecond.toLocaleString('en')} rows/s | | |`,
    `| events stored / bans decided / audit entries | ${r.events.toLocaleString('en')} / ${r.bans.toLocaleString('en')} / ${r.auditEntries.toLocaleString('en')} | | |`,
    `| CPU: server (all threads) + its PostgreSQL backends | ${r.serverCpuSeconds.toFixed(1)} + ${r.databaseCpuSeconds.toFixed(1)} s | | |`,
    `| events per CPU second (server + database) | ${perCpu.toLocaleString('en')} | ≥ ${(TARGET_EVENTS_PER_SECOND / 2).toLocaleString('en')} on 2 cores | ${ok(perCpu * 2 >= TARGET_EVENTS_PER_SECOND)} |`,
    `| request latency p50 / p99 | ${r.batchP50Ms.toFixed(0)} / ${r.batchP99Ms.toFixed(0)} ms | | |`,
    `| failed requests | ${r.errors} | 0 | ${ok(r.errors === 0)} |`,
  ].join('\n');
}

export async function main(): Promise<SecurityIngestBenchResult | undefined> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write('security ingest bench: DATABASE_URL is not set; it needs PostgreSQL, skipped\n');
    return undefined;
  }
  const seconds = positive('BENCH_DURATION', 10);
  const clients = positive('BENCH_SECURITY_CLIENTS', 8);
  const batch = positive('BENCH_SECURITY_BATCH', 1000);
  const schema = `bench_security_${process.pid}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'secops-bench-security-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    DATA_DIR: dataDir,
    DATABASE_URL: url,
    DATABASE_SCHEMA: schema,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '10000000',
    SECOPS_INGEST_TOKEN: TOKEN,
    BODY_LIMIT_BYTES: String(64 * 1024 * 1024),
    AUDIT_VERIFY_INTERVAL_HOURS: '0',
    FAIL2BAN_ENABLED: 'false',
  };
  const db = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  let server: ChildProcess | undefined;
  try {
    const started = await startServer(env);
    server = started.child;
    const pid = server.pid as number;
    let rssPeak = residentMb(pid) ?? 0;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, residentMb(pid) ?? 0)), 100);
    process.stderr.write(`security ingest bench: ${clients} clients, ${batch} events per request, ${seconds} s…\n`);
    await load(started.url, 1, clients, batch); // warm-up, not counted
    await db.connect();
    const before = await counts(db);
    const backends = await backendPids(db);
    const cpuBefore = [cpuSeconds([pid]), cpuSeconds(backends)];
    const run = await load(started.url, seconds, clients, batch);
    const cpuAfter = [cpuSeconds([pid]), cpuSeconds(backends)];
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, residentMb(pid, 'VmHWM') ?? 0);
    const after = await counts(db);
    const result: SecurityIngestBenchResult = {
      events: run.events,
      seconds: run.seconds,
      eventsPerSecond: Math.round(run.events / run.seconds),
      bans: after.bans - before.bans,
      auditEntries: after.audit - before.audit,
      batchP50Ms: percentile(run.latencies, 0.5),
      batchP99Ms: percentile(run.latencies, 0.99),
      errors: run.errors,
      rssPeakMb: rssPeak,
      serverCpuSeconds: (cpuAfter[0] as number) - (cpuBefore[0] as number),
      databaseCpuSeconds: (cpuAfter[1] as number) - (cpuBefore[1] as number),
      copyPeerPerSecond: await copyPeer(db, Math.min(after.events, 200_000), batch),
    };
    process.stdout.write(`\n${formatSecurityIngestTable(result, clients, batch)}\n`);
    return result;
  } finally {
    server?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await db.end().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The PostgreSQL backends of the server under test (its pool and its audit writer thread's). */
async function backendPids(db: pg.Client): Promise<number[]> {
  const { rows } = await db.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'cartae-secops'`
  );
  return rows.map((r) => r.pid);
}

async function counts(db: pg.Client): Promise<{ events: number; bans: number; audit: number }> {
  const { rows } = await db.query<{ events: string; bans: string; audit: string }>(
    `SELECT (SELECT count(*) FROM security_events) AS events, (SELECT count(*) FROM bans) AS bans,
            (SELECT tree_size FROM audit_head) AS audit`
  );
  const row = rows[0] as { events: string; bans: string; audit: string };
  return { events: Number(row.events), bans: Number(row.bans), audit: Number(row.audit) };
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`security ingest bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
