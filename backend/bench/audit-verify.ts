/**
 * Audit trail at scale, against PostgreSQL: loads N entries (default 1,000,000) with real hashes into a scratch
 * schema through AuditWriter, signs a checkpoint, then measures
 * - `verifyAuditLog` end to end (entries/s): reading through COPY as a PostgreSQL database offers it (`copyTo`),
 *   next to the paged SELECTs it falls back to without it;
 * - inclusion proofs for 1,000 random seqs on the path of GET /api/audit/proof/inclusion (tree size, planInclusion,
 *   planRoot, one fetchNodes), without HTTP: p50 and p99.
 * Prints a markdown table and drops the schema. Next to wall time it reports CPU time (this process with its
 * threads, and the PostgreSQL backend of each COPY when it runs here): on a shared machine, wall time moves with
 * other load, entries per CPU second much less.
 *
 *   npm run build && DATABASE_URL=postgresql://… node dist/bench/audit-verify.js
 *   BENCH_AUDIT_ENTRIES=200000 BENCH_AUDIT_PROOFS=500 node dist/bench/audit-verify.js
 */
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { DEFAULT_REDACTED_FIELDS, generateSigningKey, planInclusion, planRoot, verifyInclusion } from '../src/audit';
import { createCheckpoint } from '../src/audit/checkpoints';
import type { AuditEventInput } from '../src/audit/entry';
import { resolveSigningKey } from '../src/audit/signing-key';
import { AuditWriter, fetchNodes, treeSize } from '../src/audit/store';
import { verifyAuditLog, type CopyToSource, type VerifyReport } from '../src/audit/verify';
import { PostgresDatabase, type Queryable } from '../src/db';
import { migrate } from '../src/db/migrate';

export interface AuditVerifyBenchOptions {
  /** PostgreSQL connection string; the bench works in a schema of its own and drops it. */
  url: string;
  entries: number;
  proofs: number;
  /** Verification runs through COPY; the median is reported. */
  runs: number;
  /** Progress lines (stderr by default). */
  log?: (line: string) => void;
}

export interface AuditVerifyBenchRow {
  case: string;
  entries: number;
  seconds: number;
  perSecond?: number;
  /**
   * CPU time of the run: this process (all its threads) plus, for COPY, the PostgreSQL backend when it runs on this
   * host. Less sensitive than wall time to other load on a shared machine: entries / cpuSeconds × cores bounds what
   * the same machine reaches when nothing else runs.
   */
  cpuSeconds?: number;
  p50Ms?: number;
  p99Ms?: number;
}

const LOAD_CHUNK = 10_000;

/** An ordinary API request as the audit hook records it. */
function event(i: number): AuditEventInput {
  return {
    action: i % 10 === 0 ? 'ban.create' : 'bans.list',
    resource: 'bans',
    resourceId: `198.51.${(i >> 8) & 255}.${i & 255}`,
    method: i % 10 === 0 ? 'POST' : 'GET',
    path: `/api/bans/${i}`,
    query: { jail: 'sshd', page: String(i % 50) },
    ip: `192.0.2.${i % 250}`,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Grafana/11',
    username: `analyst${i % 20}`,
    status: 'success',
    statusCode: 200,
    responseTime: 3.25,
    metadata: { plugin: 'cartae-secops', requestId: `req-${i}` },
  };
}

/** CPU seconds used so far by a local process (Linux /proc; 100 clock ticks per second); undefined elsewhere. */
function processCpu(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * `COPY … TO STDOUT` on a connection of its own: what PostgresDatabase needs to offer for the COPY path. Adds the
 * CPU time of the backend that ran each COPY to `backendCpu.seconds` (or leaves it undefined when unknown).
 */
function withCopyTo(
  db: PostgresDatabase,
  url: string,
  schema: string,
  backendCpu: { seconds: number | undefined }
): Queryable & CopyToSource {
  return {
    query: <R>(sql: string, params?: readonly unknown[]) => db.query<R>(sql, params),
    exec: (sql) => db.exec(sql),
    copyFrom: (table, columns, data) => db.copyFrom(table, columns, data),
    async *copyTo(sql: string) {
      const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
      await client.connect();
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid ?? 0;
      const before = processCpu(pid);
      try {
        yield* client.query(copyTo(sql)) as AsyncIterable<Buffer>;
      } finally {
        const after = processCpu(pid);
        backendCpu.seconds =
          before === undefined || after === undefined ? undefined : (backendCpu.seconds ?? 0) + after - before;
        await client.end(); // also abandons a COPY that was not read to its end
      }
    },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

export async function runAuditVerifyBench(options: AuditVerifyBenchOptions): Promise<AuditVerifyBenchRow[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const schema = `bench_audit_${randomBytes(4).toString('hex')}`;
  const db = new PostgresDatabase({ url: options.url, schema, poolMax: 4, statementTimeoutMs: 600_000 });
  const rows: AuditVerifyBenchRow[] = [];
  try {
    await db.exec(`CREATE SCHEMA ${schema}`);
    await migrate(db);
    const key = resolveSigningKey(generateSigningKey().privateKeyPem, '');

    log(`loading ${options.entries} entries into ${schema}…`);
    const load = await timed(async () => {
      const writer = new AuditWriter(db, { redactFields: DEFAULT_REDACTED_FIELDS, maxBatchEntries: LOAD_CHUNK });
      const pending: Promise<unknown>[] = [];
      for (let from = 0; from < options.entries; from += LOAD_CHUNK) {
        const count = Math.min(LOAD_CHUNK, options.entries - from);
        pending.push(writer.append(Array.from({ length: count }, (_, i) => event(from + i))));
        if (pending.length >= 4) await pending.shift(); // hash the next chunk while one is stored
      }
      await Promise.all(pending);
      await writer.close();
    });
    rows.push({ case: 'load (AuditWriter, COPY batches)', entries: options.entries, seconds: load.seconds });
    const checkpoint = await createCheckpoint(db, key);
    // As autovacuum would have by now: hint bits set (the first reads of fresh rows would write them) and statistics
    // (the planner then reads seq order from the primary key instead of sorting).
    await db.exec('VACUUM (ANALYZE) audit_log');

    const verify = async (
      name: string,
      source: Queryable,
      backendCpu?: { seconds: number | undefined }
    ): Promise<AuditVerifyBenchRow> => {
      const cpu = process.cpuUsage();
      const run = await timed(() => verifyAuditLog(source, key));
      const used = process.cpuUsage(cpu);
      const report: VerifyReport = run.value;
      if (!report.valid || report.checked !== options.entries || report.rootHash !== checkpoint.rootHash) {
        throw new Error(`${name}: verification failed: ${JSON.stringify(report)}`);
      }
      const cpuSeconds = (used.user + used.system) / 1e6 + (backendCpu?.seconds ?? 0);
      log(`${name}: ${Math.round(options.entries / run.seconds)} entries/s, ${cpuSeconds.toFixed(2)} CPU s`);
      const perSecond = options.entries / run.seconds;
      return { case: name, entries: options.entries, seconds: run.seconds, perSecond, cpuSeconds };
    };
    const copyRuns: AuditVerifyBenchRow[] = [];
    for (let i = 0; i < options.runs; i++) {
      const backendCpu = { seconds: 0 as number | undefined };
      copyRuns.push(await verify('verify, COPY', withCopyTo(db, options.url, schema, backendCpu), backendCpu));
    }
    const median = [...copyRuns].sort((a, b) => a.seconds - b.seconds)[Math.floor(copyRuns.length / 2)];
    if (median) rows.push({ ...median, case: `verify, COPY (median of ${options.runs})` });
    rows.push(await verify('verify, paged SELECT', db));

    const latencies: number[] = [];
    const proofs = await timed(async () => {
      for (let i = 0; i < options.proofs; i++) {
        const seq = randomInt(options.entries);
        const started = process.hrtime.bigint();
        // What GET /api/audit/proof/inclusion does, minus HTTP.
        const size = await treeSize(db);
        const plan = planInclusion(seq, size);
        const root = planRoot(size);
        const leaf = { level: 0, index: seq };
        const lookup = await fetchNodes(db, [...plan.nodes, ...root.nodes, leaf]);
        const proof = plan.assemble(lookup);
        const rootHash = root.assemble(lookup);
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        const leafHash = lookup(leaf);
        if (!leafHash || !verifyInclusion(seq, size, leafHash, proof, rootHash))
          throw new Error(`bad proof for ${seq}`);
      }
    });
    latencies.sort((a, b) => a - b);
    rows.push({
      case: 'inclusion proof (random seq)',
      entries: options.proofs,
      seconds: proofs.seconds,
      perSecond: options.proofs / proofs.seconds,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    });
    return rows;
  } finally {
    await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await db.close();
  }
}

export function formatAuditVerifyTable(rows: readonly AuditVerifyBenchRow[]): string {
  const ms = (v: number | undefined) => (v === undefined ? '' : v.toFixed(2));
  const rate = (v: number | undefined) => (v === undefined ? '' : String(Math.round(v)));
  const lines = [
    '| case | entries | time (s) | per second | CPU (s) | per CPU second | p50 (ms) | p99 (ms) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.case} | ${r.entries} | ${r.seconds.toFixed(2)} | ${rate(r.perSecond)} | ${ms(r.cpuSeconds)} | ` +
        `${rate(r.cpuSeconds ? r.entries / r.cpuSeconds : undefined)} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} |`
    ),
  ];
  return lines.join('\n');
}

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

/** Reads DATABASE_URL and BENCH_AUDIT_* from the environment, runs, prints the table. */
export async function main(): Promise<AuditVerifyBenchRow[]> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write('audit verify bench: DATABASE_URL is not set; it needs PostgreSQL, skipped\n');
    return [];
  }
  const rows = await runAuditVerifyBench({
    url,
    entries: positive('BENCH_AUDIT_ENTRIES', 1_000_000),
    proofs: positive('BENCH_AUDIT_PROOFS', 1000),
    runs: positive('BENCH_AUDIT_RUNS', 3),
  });
  process.stdout.write(`\n${formatAuditVerifyTable(rows)}\n`);
  return rows;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`audit verify bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
