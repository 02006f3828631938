import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { demoTokens } from '../src/cli/demo';
import { formatSummary, runDemo, type DemoSummary } from '../src/demo/run';
import { planTick } from '../src/demo/plan';
import { attackers, CYCLE_SECONDS, SCENARIOS } from '../src/demo/scenarios';
import { bearer, createTestApp, tempDir, TEST_TOKENS, type TestApp } from './helpers';

describe('the demo’s plan', () => {
  const context = { offset: 7, rate: 2, startedAtMs: Date.parse('2026-12-04T10:00:00Z'), tickMs: 1000 };
  const cycle = Array.from({ length: CYCLE_SECONDS }, (_, tick) => planTick(tick, context));
  const requests = cycle.flatMap((t) => t.requests);

  test('every scenario appears in each cycle, the HTTP flood once per run', () => {
    expect(new Set(requests.map((r) => r.scenario))).toEqual(new Set(SCENARIOS));
    expect(cycle.filter((t) => t.burst !== undefined)).toHaveLength(1);
    expect(planTick(CYCLE_SECONDS + 8, context).burst).toBeUndefined();
  });

  test('attackers are documentation addresses, fresh in each cycle', () => {
    const first = Object.values(attackers(0, 7));
    const second = Object.values(attackers(1, 7));
    for (const ip of [...first, ...second]) expect(ip).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$/);
    expect(first.filter((ip) => second.includes(ip))).toEqual([]);
  });
});

describe('demo tokens', () => {
  test('from the backend’s variables, else from the files it generated; none: an error naming the variable', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'secrets'));
    writeFileSync(path.join(dir, 'secrets', 'viewer.token'), 'f'.repeat(40) + '\n');
    writeFileSync(path.join(dir, 'secrets', 'ingest.token'), 'g'.repeat(40));
    expect(demoTokens({ SECOPS_ADMIN_TOKEN: 'x'.repeat(40) }, dir)).toEqual({
      viewer: 'f'.repeat(40),
      admin: 'x'.repeat(40),
      ingest: 'g'.repeat(40),
    });
    expect(() => demoTokens({}, dir)).toThrow(/SECOPS_ADMIN_TOKEN is not set/);
  });
});

describe('the demo against a running backend (loopback)', () => {
  let t: TestApp;
  let summary: DemoSummary;
  const lines: string[] = [];

  beforeAll(async () => {
    // A small rate limit, so that the flood reaches it quickly; the ordinary traffic stays under it.
    t = await createTestApp({ env: { FAIL2BAN_ENABLED: 'false', RATE_LIMIT_MAX: '300' } });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = t.app.server.address() as AddressInfo;
    summary = await runDemo({
      url: new URL(`http://127.0.0.1:${port}`),
      tokens: TEST_TOKENS,
      // One whole cycle, compressed: the duration is only an upper bound on a loaded machine.
      durationSeconds: 60,
      tickMs: 100,
      maxTicks: CYCLE_SECONDS,
      rate: 1,
      offset: 11,
      progressEverySeconds: 1,
      out: (line) => lines.push(line),
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const get = async (url: string) => {
    const res = await t.app.inject({ url, headers: bearer(TEST_TOKENS.viewer) });
    expect(res.statusCode).toBe(200);
    return res.json();
  };

  test('each scenario got the answers its attack earns', () => {
    const { scenarios: s } = summary;
    expect(summary.errors).toEqual([]);
    expect(s.normal.statuses['200']).toBeGreaterThan(10);
    expect(s.normal.events).toBeGreaterThan(40);
    expect(s['brute-force'].statuses['401']).toBeGreaterThan(5);
    expect(s['admin-probe'].statuses['403']).toBeGreaterThan(0);
    expect(s['admin-probe'].statuses['401']).toBeGreaterThan(0);
    expect(s.flood.statuses['429']).toBeGreaterThanOrEqual(25);
    expect(s.alertmanager.statuses).toEqual({ '200': 2 });
    expect(summary.distinctOrigins).toBe(true);
    const { bruteForce, adminProbe, flood, portScan } = attackers(0, 11);
    expect(s['brute-force'].bans).toContain(bruteForce);
    expect(s['admin-probe'].bans).toContain(adminProbe);
    expect(s.flood.bans).toContain(flood);
    expect(s['port-scan'].bans).toContain(portScan);
    expect(s['brute-force'].outcomes.blocked).toBeGreaterThan(0);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines[0]).toMatch(/^\[\s*\d+\/60 s\] \d+ requests \(2xx \d+, 401\/403 \d+, 429 \d+, errors 0\)/);
    expect(formatSummary(summary)).toMatch(/^flood\s+\d+\s+\d+\s+0\s+0\s+\d{2,}/m);
  });

  test('the backend holds what the demo did: bans, events, Fail2ban reports, audit entries, metrics', async () => {
    const { portScan, sshd } = attackers(0, 11);
    const bans = await get(`/api/soar/bans?ip=${portScan}`);
    expect(bans.bans).toEqual([expect.objectContaining({ ip: portScan, ruleId: 'port-scan' })]);
    expect((await get(`/api/security/events?ip=${portScan}`)).events[0]).toMatchObject({
      type: 'network.scan.detected',
    });
    expect((await get(`/api/fail2ban/events?ip=${sshd}`)).events.map((e: { action: string }) => e.action)).toEqual([
      'unban',
      'ban',
    ]);
    expect((await get('/api/audit/events?action=report.read')).events.length).toBeGreaterThan(0);
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/^http_auth_failed_total [1-9]\d*$/m);
    expect(metrics).toMatch(/^http_requests_rate_limited_total\{method="GET",route="\/api\/system\/info"\} [1-9]/m);
    expect(metrics).toMatch(/^soar_auto_blocks_total\{rule="port-scan"\} [1-9]/m);
    expect(metrics).toMatch(/^soar_alerts_received_total\{status="firing",severity="critical"\} 1$/m);
    expect(metrics).toMatch(/^soar_alerts_received_total\{status="resolved",severity="critical"\} 1$/m);
    const { intruder } = attackers(0, 11);
    expect((await get(`/api/security/events?ip=${intruder}`)).events.map((e: { type: string }) => e.type)).toEqual([
      'alertmanager.alert.resolved',
      'alertmanager.alert.firing',
    ]);
    expect(metrics).toMatch(/^http_requests_total\{method="GET",route="\/api\/security\/events",status="401"\} [1-9]/m);
  });

  test('a backend that does not answer: a clear error before any traffic', async () => {
    await expect(
      runDemo({ url: new URL('http://127.0.0.1:9'), tokens: TEST_TOKENS, durationSeconds: 1, rate: 1 })
    ).rejects.toThrow(/does not answer .*is it running/);
  });
});
