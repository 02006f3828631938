/**
 * `npm run bench` (plugin): the Audit log page against a large audit trail, and the initial JavaScript of each page.
 *   1. builds what the e2e run builds (tests/support/prepare.mjs; E2E_SKIP_BUILD=1 reuses the builds);
 *   2. starts the real backend on PostgreSQL (DATABASE_URL, in a schema of its own, dropped at the end) and fills
 *      its audit trail with BENCH_AUDIT_ENTRIES entries (default 1,000,000) through POST /api/audit/events;
 *   3. starts the test host and, in Chromium, opens the Audit log page: once with an empty cache, then three times
 *      without filters and three times each filtered by a user and by an address block (medians reported);
 *   4. measures the gzipped initial JavaScript of the Overview, Audit log and Bans pages as tests/pages.spec.ts does.
 * Prints markdown tables with the targets: interactive in ≤ 1.5 s, initial JavaScript ≤ 300 KB.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import pluginJson from '../src/plugin.json';
import { chromiumLaunchOptions } from '../tests/support/chromium';
import { INITIAL_JS_BUDGET_BYTES, measureInitialJs } from '../tests/support/initialJs';
import { median, timeAuditPageLoad, type AuditPageLoad } from './auditPage';
import { addressOf, loadAuditTrail, rate, userOf } from './loadAudit';
import { freePort, PLUGIN_DIR, startService, type Service } from './processes';

const INTERACTIVE_TARGET_MS = 1500;
const RUNS = 3;
// AUDIT_PAGE_SIZE of src/data/useAuditEvents.ts: the rows of the page's first page.
const PAGE_SIZE = 100;
const log = (line: string) => process.stderr.write(`${line}\n`);
const token = () => randomBytes(32).toString('hex');

interface Scenario {
  name: string;
  /** The page's query string (its filters). */
  query: Record<string, string>;
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.log(
      'plugin bench skipped: DATABASE_URL is unset. The Audit log bench runs the backend on PostgreSQL: ' +
        'DATABASE_URL=postgresql://user@host/db npm run bench -w plugin'
    );
    return;
  }
  const entries = Number(process.env.BENCH_AUDIT_ENTRIES ?? 1_000_000);
  if (!Number.isSafeInteger(entries) || entries < PAGE_SIZE) {
    throw new Error(`BENCH_AUDIT_ENTRIES must be an integer of at least ${PAGE_SIZE}`);
  }
  // Build output goes to stderr: stdout carries the tables only.
  execFileSync(process.execPath, [path.join(PLUGIN_DIR, 'tests/support/prepare.mjs')], {
    cwd: PLUGIN_DIR,
    stdio: ['ignore', process.stderr, 'inherit'],
  });

  const tokens = { viewer: token(), admin: token(), ingest: token() };
  const services: Service[] = [];
  let browser: Browser | undefined;
  try {
    const backendPort = await freePort();
    const backend = await startService('backend', 'tests/support/backend.mjs', backendPort, '/ready', {
      E2E_BACKEND_PORT: String(backendPort),
      TEST_DATABASE_URL: databaseUrl,
      E2E_DATABASE_SCHEMA: `bench_plugin_${randomBytes(4).toString('hex')}`,
      E2E_FAIL2BAN: '0',
      SECOPS_VIEWER_TOKEN: tokens.viewer,
      SECOPS_ADMIN_TOKEN: tokens.admin,
      SECOPS_INGEST_TOKEN: tokens.ingest,
    });
    services.push(backend);

    log(`\nloading ${entries.toLocaleString('en-US')} audit entries through POST /api/audit/events`);
    const load = await loadAuditTrail(backend.url, tokens.ingest, entries);
    log(`  ${load.seconds.toFixed(1)} s, ${rate(load.entries, load.seconds)}`);

    const hostPort = await freePort();
    const host = await startService('test host', 'host/server.mjs', hostPort, '/login', {
      PORT: String(hostPort),
      PLUGIN_JSONDATA: JSON.stringify({ backendUrl: backend.url }),
      PLUGIN_SECUREJSONDATA: JSON.stringify({ viewerToken: tokens.viewer, adminToken: tokens.admin }),
      HOST_DATASOURCES: '[]',
    });
    services.push(host);

    browser = await chromium.launch(chromiumLaunchOptions);
    const context = await browser.newContext({ baseURL: host.url, viewport: { width: 1400, height: 900 } });
    const login = await context.request.post('/login', { data: { user: 'admin', password: 'admin' } });
    if (!login.ok()) {
      throw new Error(`login to the test host answered ${login.status()}`);
    }

    const scenarios: Scenario[] = [
      { name: 'no filter', query: {} },
      { name: `user = ${userOf(42)}`, query: { user: userOf(42) } },
      { name: `IP in ${blockOf(addressOf(7))}`, query: { ip: blockOf(addressOf(7)) } },
    ];
    const auditUrl = (query: Record<string, string>) =>
      `/a/${pluginJson.id}/audit${Object.keys(query).length ? `?${new URLSearchParams(query)}` : ''}`;

    log('\nAudit log page loads');
    const cold = await timeAuditPageLoad(context, auditUrl({}), await firstPageRows(backend.url, tokens.viewer, {}));
    log(`  first load, empty cache: ${describe(cold)}`);
    const results: Array<{ scenario: Scenario; loads: AuditPageLoad[]; apiMs: number }> = [];
    for (const scenario of scenarios) {
      const rows = await firstPageRows(backend.url, tokens.viewer, scenario.query);
      const loads: AuditPageLoad[] = [];
      for (let run = 0; run < RUNS; run++) {
        loads.push(await timeAuditPageLoad(context, auditUrl(scenario.query), rows));
        log(`  ${scenario.name}, run ${run + 1}: ${describe(loads[loads.length - 1])}`);
      }
      results.push({ scenario, loads, apiMs: await apiMedian(backend.url, tokens.viewer, scenario.query) });
    }

    // The last minute's average: the minute the pages were timed in.
    const loadAverage = loadavg()[0];

    log('\ninitial JavaScript of each page');
    const page = await context.newPage();
    const routes = ['overview', 'audit', 'bans'];
    const sizes = await measureInitialJs(page, pluginJson.id, routes, (route) =>
      page.goto(`/a/${pluginJson.id}/${route}`)
    );
    await page.close();

    const n = entries.toLocaleString('en-US');
    const lines = [
      `\nPlugin: Audit log page with ${n} audit entries (PostgreSQL, test host, Chromium)\n`,
      '| load | rows | host booted | API request | rows visible | interactive | plugin part | target | met | plugin met |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---|---|',
      row('first load, empty cache', cold),
      ...results.map(({ scenario, loads }) => row(`${scenario.name}, median of ${RUNS}`, medianLoad(loads))),
      '\nTimes from navigation start. Host booted: the host asked for module.js (the same Grafana work precedes any ' +
        'plugin). Interactive: a character typed into the Search filter shows. Plugin part: interactive − host booted.',
      `Load average while the pages were timed: ${loadAverage.toFixed(2)} (1 min, ${cpus().length} cores).`,
      `\nGET /api/audit/events?limit=${PAGE_SIZE} answered by the backend directly (median of 5, viewer token):`,
      ...results.map(({ scenario, apiMs }) => `- ${scenario.name}: ${apiMs.toFixed(1)} ms`),
      `\nLoad: ${n} entries in ${load.seconds.toFixed(1)} s (${rate(load.entries, load.seconds)})\n`,
      `| page | initial JS (gzip) | files | target | met |`,
      `|---|---:|---:|---:|---|`,
      ...routes.map((route) => {
        const { gzipBytes, files } = sizes[route];
        const met = gzipBytes <= INITIAL_JS_BUDGET_BYTES ? 'yes' : 'no';
        return `| ${route} | ${(gzipBytes / 1024).toFixed(1)} KB | ${files.length} | ≤ 300 KB | ${met} |`;
      }),
      '',
    ];
    console.log(lines.join('\n'));
  } finally {
    await browser?.close();
    for (const service of services.reverse()) {
      await service.stop();
    }
  }
}

/** The /24 (IPv4) block of an address. */
const blockOf = (ip: string) => `${ip.split('.').slice(0, 3).join('.')}.0/24`;

const ms = (value: number) => `${(value / 1000).toFixed(2)} s`;

function describe(load: AuditPageLoad): string {
  return `host booted at ${load.hostReadyMs.toFixed(0)} ms, API ${load.apiStartMs.toFixed(0)}–${load.apiEndMs.toFixed(0)} ms, ${load.rows} rows at ${load.rowsVisibleMs.toFixed(0)} ms, interactive at ${load.interactiveMs.toFixed(0)} ms`;
}

function row(name: string, load: AuditPageLoad): string {
  const met = (value: number) => (value <= INTERACTIVE_TARGET_MS ? 'yes' : 'no');
  const api = `${(load.apiEndMs - load.apiStartMs).toFixed(0)} ms`;
  const plugin = load.interactiveMs - load.hostReadyMs;
  const cells = [
    name,
    load.rows,
    ms(load.hostReadyMs),
    api,
    ms(load.rowsVisibleMs),
    ms(load.interactiveMs),
    ms(plugin),
    '≤ 1.5 s',
    met(load.interactiveMs),
    met(plugin),
  ];
  return `| ${cells.join(' | ')} |`;
}

/** Each measure's median over the loads. */
function medianLoad(loads: AuditPageLoad[]): AuditPageLoad {
  const of = (key: keyof AuditPageLoad) => median(loads.map((load) => load[key]));
  return {
    rows: loads[0].rows,
    hostReadyMs: of('hostReadyMs'),
    apiStartMs: of('apiStartMs'),
    apiEndMs: of('apiEndMs'),
    rowsVisibleMs: of('rowsVisibleMs'),
    interactiveMs: of('interactiveMs'),
  };
}

async function fetchEvents(backendUrl: string, viewerToken: string, query: Record<string, string>) {
  const params = new URLSearchParams({ ...query, limit: String(PAGE_SIZE) });
  const res = await fetch(`${backendUrl}/api/audit/events?${params}`, {
    headers: { authorization: `Bearer ${viewerToken}` },
  });
  if (!res.ok) {
    throw new Error(`GET /api/audit/events?${params} answered ${res.status}: ${await res.text()}`);
  }
  return (await res.json()) as { events: unknown[] };
}

/** How many rows the page's first page holds for these filters, as the backend answers them. */
async function firstPageRows(backendUrl: string, viewerToken: string, query: Record<string, string>) {
  const { events } = await fetchEvents(backendUrl, viewerToken, query);
  if (events.length === 0) {
    throw new Error(`no audit entry matches ${JSON.stringify(query)}`);
  }
  return events.length;
}

async function apiMedian(backendUrl: string, viewerToken: string, query: Record<string, string>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await fetchEvents(backendUrl, viewerToken, query);
    times.push(performance.now() - started);
  }
  return median(times);
}

main().catch((err: unknown) => {
  console.error(`plugin bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
