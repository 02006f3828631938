/**
 * `npm run bench`: every benchmark of the product in one run, each printing its own markdown table.
 *   - HTTP baseline, audit hook on/off and audit ingest next to a raw COPY (bench/http.ts);
 *   - audit verify over a large trail and inclusion proof latency (bench/audit-verify.ts, PostgreSQL only);
 *   - `cartae-secops replay` against `fail2ban-regex` on one generated log (bench/replay.ts);
 *   - live security events through POST /api/security/events with decisions and audit writes, and the backend's
 *     resident memory (bench/security-ingest.ts, PostgreSQL only).
 * Environment: DATABASE_URL (PostgreSQL; unset = PGlite), BENCH_DURATION, BENCH_CONNECTIONS,
 * BENCH_AUDIT_ENTRIES (default 1,000,000), BENCH_REPLAY_LINES (default 1,000,000),
 * BENCH_ONLY (comma-separated: http, audit-verify, replay, security-ingest).
 */
import { main as httpBench } from './http';
import { main as auditVerifyBench } from './audit-verify';
import { main as replayBench } from './replay';
import { main as securityIngestBench } from './security-ingest';

const BENCHES: Record<string, () => Promise<unknown>> = {
  http: httpBench,
  'audit-verify': auditVerifyBench,
  replay: replayBench,
  'security-ingest': securityIngestBench,
};

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
  for (const name of only ?? Object.keys(BENCHES)) {
    const bench = BENCHES[name];
    if (!bench) throw new Error(`BENCH_ONLY: unknown bench "${name}" (known: ${Object.keys(BENCHES).join(', ')})`);
    process.stderr.write(`\n== bench ${name}\n`);
    await bench();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
