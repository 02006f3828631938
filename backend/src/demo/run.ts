/**
 * The demo's run: the plan of scenarios.ts, second by second for a bounded duration, against a running backend,
 * with progress lines and a summary of what each scenario got back (statuses, events taken in, bans decided).
 */
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Tokens } from '../auth/tokens';
import { DemoClient, type Answer } from './client';
import { planTick } from './plan';
import { SCENARIOS, type DemoRequest, type Scenario } from './scenarios';

export const MAX_DURATION_SECONDS = 3600;
/** Most requests of the HTTP flood, whatever the rate limit says. */
const MAX_BURST = 20_000;
const BURST_CONCURRENCY = 16;
/** 429 answers the flood collects before it stops. */
const BURST_REFUSALS = 25;

export interface DemoOptions {
  url: URL;
  tokens: Tokens;
  durationSeconds: number;
  /** Ordinary reads per second. */
  rate: number;
  /** Where the attackers' addresses start (random by default, so that each run bans fresh addresses). */
  offset?: number;
  progressEverySeconds?: number;
  /** Length of the plan's second in milliseconds (1000; tests compress time). */
  tickMs?: number;
  /** Stop after this many ticks even before the duration is over (tests). */
  maxTicks?: number;
  out?: (line: string) => void;
  signal?: AbortSignal;
}

export interface ScenarioStats {
  requests: number;
  /** By status code; `error` for requests without an answer. */
  statuses: Record<string, number>;
  /** Security events the backend accepted. */
  events: number;
  /** What the auto-blocker made of them (counted, banned, blocked…). */
  outcomes: Record<string, number>;
  /** Addresses the auto-blocker banned. */
  bans: string[];
}

export interface DemoSummary {
  seconds: number;
  requests: number;
  scenarios: Record<Scenario, ScenarioStats>;
  /** Whether the attackers sent from loopback addresses of their own (and the HTTP flood ran). */
  distinctOrigins: boolean;
  /** The first few transport errors. */
  errors: string[];
}

export class DemoError extends Error {
  override name = 'DemoError';
}

const emptyStats = (): ScenarioStats => ({ requests: 0, statuses: {}, events: 0, outcomes: {}, bans: [] });

interface IngestAnswer {
  accepted?: number;
  outcomes?: Record<string, number>;
  decisions?: { action: string; ip: string }[];
}

class Tally {
  readonly scenarios = Object.fromEntries(SCENARIOS.map((s) => [s, emptyStats()])) as Record<Scenario, ScenarioStats>;
  readonly errors: string[] = [];
  requests = 0;

  record(request: DemoRequest, answer: Answer | Error): void {
    const stats = this.scenarios[request.scenario];
    stats.requests++;
    this.requests++;
    const key = answer instanceof Error ? 'error' : String(answer.status);
    stats.statuses[key] = (stats.statuses[key] ?? 0) + 1;
    if (answer instanceof Error) {
      if (this.errors.length < 5) this.errors.push(`${request.method} ${request.path}: ${answer.message}`);
      return;
    }
    if (request.path !== '/api/security/events' || answer.status !== 200) return;
    const body = answer.body as IngestAnswer;
    stats.events += body.accepted ?? 0;
    for (const [outcome, n] of Object.entries(body.outcomes ?? {})) {
      stats.outcomes[outcome] = (stats.outcomes[outcome] ?? 0) + n;
    }
    for (const decision of body.decisions ?? []) if (decision.action === 'ban') stats.bans.push(decision.ip);
  }

  count(filter: (status: string) => boolean): number {
    let n = 0;
    for (const stats of Object.values(this.scenarios)) {
      for (const [status, count] of Object.entries(stats.statuses)) if (filter(status)) n += count;
    }
    return n;
  }
}

async function send(client: DemoClient, tally: Tally, request: DemoRequest): Promise<Answer | Error> {
  const answer = await client
    .send(request)
    .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
  tally.record(request, answer);
  return answer;
}

/** Requests from the flood's address until the rate limiter has refused BURST_REFUSALS of them. */
async function flood(client: DemoClient, tally: Tally, request: DemoRequest, signal?: AbortSignal): Promise<void> {
  const first = await send(client, tally, request);
  if (first instanceof Error) return;
  const remaining = Number(first.headers['x-ratelimit-remaining'] ?? 0);
  let budget = Math.min(MAX_BURST, (Number.isFinite(remaining) ? remaining : 0) + BURST_REFUSALS);
  let refused = first.status === 429 ? 1 : 0;
  const worker = async () => {
    while (budget > 0 && refused < BURST_REFUSALS && !signal?.aborted) {
      budget--;
      const answer = await send(client, tally, request);
      if (answer instanceof Error) return;
      if (answer.status === 429) refused++;
    }
  };
  await Promise.all(Array.from({ length: BURST_CONCURRENCY }, worker));
}

function progressLine(tally: Tally, elapsed: number, total: number): string {
  const events = Object.values(tally.scenarios).reduce((n, s) => n + s.events, 0);
  const bans = Object.values(tally.scenarios).reduce((n, s) => n + s.bans.length, 0);
  const ok = tally.count((s) => s.startsWith('2'));
  const auth = tally.count((s) => s === '401' || s === '403');
  const limited = tally.count((s) => s === '429');
  const errors = tally.count((s) => s === 'error' || s.startsWith('5'));
  return (
    `[${String(Math.round(elapsed)).padStart(String(total).length)}/${total} s] ${tally.requests} requests ` +
    `(2xx ${ok}, 401/403 ${auth}, 429 ${limited}, errors ${errors}) · ${events} security events · ${bans} bans`
  );
}

/** Checks that the backend answers and takes the viewer token, before any traffic. */
async function preflight(client: DemoClient, url: URL): Promise<void> {
  const health = await client
    .send({ scenario: 'normal', method: 'GET', path: '/health', credential: 'none', origin: 'client' })
    .catch((err: unknown) => {
      throw new DemoError(`the backend at ${url.origin} does not answer (${(err as Error).message}); is it running?`);
    });
  if (health.status !== 200) throw new DemoError(`${url.origin}/health answered ${health.status}`);
  const info = await client.send({
    scenario: 'normal',
    method: 'GET',
    path: '/api/system/info',
    credential: 'viewer',
    origin: 'client',
  });
  if (info.status === 401) throw new DemoError('the backend refused the viewer token: use the backend’s tokens');
}

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const out = options.out ?? (() => undefined);
  const offset = options.offset ?? randomInt(250);
  const every = options.progressEverySeconds ?? 5;
  const tickMs = options.tickMs ?? 1000;
  const client = new DemoClient(options.url, options.tokens);
  const tally = new Tally();
  const bursts: Promise<void>[] = [];
  try {
    await preflight(client, options.url);
    await client.probeOrigins();
    if (!client.distinctOrigins) {
      out('attackers share this host’s address (the backend is not on 127.0.0.0/8): the HTTP flood is left out');
    }
    const started = Date.now();
    const endAt = started + options.durationSeconds * 1000;
    let nextProgress = every;
    const maxTicks = options.maxTicks ?? Number.POSITIVE_INFINITY;
    for (let tick = 0; tick < maxTicks && Date.now() < endAt && !options.signal?.aborted; tick++) {
      const due = started + tick * tickMs;
      if (due > Date.now()) await sleep(due - Date.now(), undefined, { signal: options.signal }).catch(() => undefined);
      if (options.signal?.aborted || Date.now() >= endAt) break;
      const plan = planTick(tick, { offset, rate: options.rate, startedAtMs: started, tickMs });
      if (plan.burst !== undefined && client.distinctOrigins) {
        bursts.push(flood(client, tally, plan.burst, options.signal));
      }
      await Promise.all(plan.requests.map((request) => send(client, tally, request)));
      const elapsed = (Date.now() - started) / 1000;
      if (elapsed >= nextProgress) {
        out(progressLine(tally, elapsed, options.durationSeconds));
        nextProgress += every;
      }
    }
    await Promise.all(bursts);
    const seconds = (Date.now() - started) / 1000;
    return {
      seconds,
      requests: tally.requests,
      scenarios: tally.scenarios,
      distinctOrigins: client.distinctOrigins,
      errors: tally.errors,
    };
  } finally {
    client.close();
  }
}

/** The summary as a table, one row per scenario, then the banned addresses. */
export function formatSummary(summary: DemoSummary): string {
  const columns = ['scenario', 'requests', '2xx', '401', '403', '429', 'other', 'events', 'blocked', 'bans'];
  const rows = SCENARIOS.map((name) => {
    const s = summary.scenarios[name];
    const by = (status: string) => s.statuses[status] ?? 0;
    const ok = Object.entries(s.statuses).reduce((n, [k, v]) => n + (k.startsWith('2') ? v : 0), 0);
    const other = s.requests - ok - by('401') - by('403') - by('429');
    return [
      name,
      s.requests,
      ok,
      by('401'),
      by('403'),
      by('429'),
      other,
      s.events,
      s.outcomes.blocked ?? 0,
      s.bans.length,
    ];
  });
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]) =>
    cells
      .map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i] ?? 0) : String(cell).padStart(widths[i] ?? 0)))
      .join('  ');
  const banned = [...new Set(SCENARIOS.flatMap((name) => summary.scenarios[name].bans))];
  return [
    `${summary.requests} requests in ${summary.seconds.toFixed(1)} s`,
    line(columns),
    ...rows.map(line),
    banned.length > 0 ? `banned by the auto-blocker: ${banned.join(', ')}` : 'no address was banned',
    ...summary.errors.map((e) => `error: ${e}`),
  ].join('\n');
}
