import { Registry } from 'prom-client';
import { AuditWriter } from '../../src/audit/store';
import type { Database } from '../../src/db';
import { migrate } from '../../src/db/migrate';
import { insertBans, liftBans, type NewBan } from '../../src/security/ban-repo';
import { parseSecuritySettings } from '../../src/security/config';
import {
  Enforcer,
  EnforcementSkipped,
  EnforcerUnavailable,
  type EnforcementAdapter,
} from '../../src/security/enforcement';
import { registerSecurityMetrics } from '../../src/security/metrics';
import { SecurityService } from '../../src/security/service';
import { parseAutoBlockerConfig } from '../../src/soar/config';
import { parseSecurityEvents } from '../../src/soar/event-validate';
import { testDatabases } from '../helpers';
import { ev } from './support';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An adapter that records its calls and fails while `failing` is set (with `error`). */
function fakeAdapter(name = 'fake') {
  const adapter = {
    name,
    calls: [] as string[],
    failing: false,
    error: (): Error => new Error('enforcer down'),
    async ban(ip: string) {
      adapter.calls.push(`ban ${ip}`);
      if (adapter.failing) throw adapter.error();
    },
    async unban(ip: string) {
      adapter.calls.push(`unban ${ip}`);
      if (adapter.failing) throw adapter.error();
    },
  };
  return adapter satisfies EnforcementAdapter;
}

const newBan = (ip: string, untilMs = Date.now() + 3_600_000, atMs = Math.min(Date.now(), untilMs - 1000)): NewBan => ({
  id: crypto.randomUUID(),
  ip,
  ruleId: 'manual',
  source: 'test',
  reason: 'test',
  actor: 'tester',
  severity: null,
  eventId: null,
  atMs,
  untilMs,
  banNumber: 1,
});

async function states(db: Database) {
  const { rows } = await db.query<{ action: string; state: string; attempts: number; last_error: string | null }>(
    'SELECT action, state, attempts, last_error FROM ban_enforcement ORDER BY updated_at, action'
  );
  return rows;
}

describe.each(testDatabases)('enforcement on $name', ({ open }) => {
  let db: Database;
  beforeEach(async () => {
    db = await open();
    await migrate(db);
  });
  afterEach(async () => {
    await db.close();
  });

  test('a failing adapter keeps the decision pending with its error and is retried with backoff', async () => {
    const adapter = fakeAdapter();
    const enforcer = new Enforcer(db, [adapter], { retryInitialMs: 300, retryMaxMs: 1000 });
    const ban = newBan('192.0.2.1');
    await insertBans(db, [ban], ['fake']);
    adapter.failing = true;
    await enforcer.run();
    expect(await states(db)).toEqual([{ action: 'ban', state: 'pending', attempts: 1, last_error: 'enforcer down' }]);
    await enforcer.run(); // not due yet
    expect(adapter.calls).toEqual(['ban 192.0.2.1']);
    expect(enforcer.retryDelayMs(1)).toBe(300);
    expect(enforcer.retryDelayMs(2)).toBe(600);
    expect(enforcer.retryDelayMs(9)).toBe(1000);
    await sleep(350);
    await enforcer.run();
    expect(await states(db)).toEqual([expect.objectContaining({ state: 'pending', attempts: 2 })]);
    adapter.failing = false;
    await sleep(650);
    await enforcer.run();
    expect(await states(db)).toEqual([{ action: 'ban', state: 'done', attempts: 3, last_error: null }]);

    await db.transaction((tx) => liftBans(tx, '192.0.2.1', 'tester', 'done'));
    await enforcer.run();
    expect(adapter.calls.at(-1)).toBe('unban 192.0.2.1');
    expect((await states(db)).map((s) => `${s.action}:${s.state}`)).toEqual(['ban:done', 'unban:done']);
  });

  test('an adapter that is down leaves the rest of the round untouched; a CIDR block is skipped', async () => {
    const adapter = fakeAdapter();
    adapter.failing = true;
    adapter.error = () => new EnforcerUnavailable('fail2ban-client is not installed');
    const enforcer = new Enforcer(db, [adapter], { retryInitialMs: 10_000, retryMaxMs: 10_000 });
    await insertBans(db, [newBan('192.0.2.1'), newBan('192.0.2.2'), newBan('192.0.2.3')], ['fake']);
    await enforcer.run();
    expect(adapter.calls).toHaveLength(1);
    const rows = await states(db);
    expect(rows.map((r) => r.attempts).sort()).toEqual([0, 0, 1]);
    expect(rows.every((r) => r.state === 'pending')).toBe(true);

    const skipping = fakeAdapter('cidr');
    skipping.failing = true;
    skipping.error = () => new EnforcementSkipped('no blocks here');
    await insertBans(db, [newBan('198.51.100.0/24')], ['cidr']);
    await new Enforcer(db, [skipping], { retryInitialMs: 10, retryMaxMs: 10 }).run();
    const { rows: skipped } = await db.query<{ state: string }>(
      `SELECT state FROM ban_enforcement WHERE adapter = 'cidr'`
    );
    expect(skipped).toEqual([{ state: 'skipped' }]);
  });

  test('a ban that ended before it was recorded is enforced by no one', async () => {
    await insertBans(db, [newBan('192.0.2.9', Date.now() - 1000)], ['fake']);
    expect(await states(db)).toEqual([]);
  });

  test('the service: decisions survive a failing enforcer, and the auto-unban at expiry is enforced too', async () => {
    const adapter = fakeAdapter();
    adapter.failing = true;
    const audit = new AuditWriter(db, { redactFields: [] });
    const autoBlocker = parseAutoBlockerConfig({
      whitelist: [],
      rules: [{ id: 'auth', match: { event: ['auth.login.failed'] }, threshold: 2, windowMs: 60_000, duration: 1 }],
    });
    const settings = parseSecuritySettings({
      maintenanceIntervalMs: 60_000,
      refreshIntervalMs: 3_600_000,
      enforcement: { retryInitialMs: 10, retryMaxMs: 10 },
    });
    const logs: string[] = [];
    const log = {
      info: () => undefined,
      warn: (_o: object, m: string) => logs.push(m),
      error: (_o: object, m: string) => logs.push(m),
    };
    const service = new SecurityService({
      db,
      audit,
      config: { autoBlocker, settings },
      metrics: registerSecurityMetrics(new Registry(), { banCounts: async () => ({ active: 0, blockedIps24h: 0 }) }),
      adapters: [adapter],
      log,
    });
    await service.start();
    try {
      const events = parseSecurityEvents([ev('192.0.2.40'), ev('192.0.2.40')]);
      const result = await service.ingest(events, { source: 'test' });
      expect(result.decisions).toEqual([expect.objectContaining({ action: 'ban', ip: '192.0.2.40', duration: 1 })]);
      await service.enforcer.settled();
      await service.maintain();
      expect(await states(db)).toEqual([
        expect.objectContaining({ action: 'ban', state: 'pending', last_error: 'enforcer down' }),
      ]);
      expect(logs).toContain('enforcement by fake failed (pending)');

      adapter.failing = false;
      await sleep(20);
      await service.maintain(); // the retry
      const [done] = await states(db);
      expect(done).toMatchObject({ action: 'ban', state: 'done', last_error: null });
      expect(done?.attempts).toBeGreaterThanOrEqual(2);
      await sleep(1100); // the 1 s ban ends
      await service.maintain(); // expiry: the unban is queued and enforced
      expect(adapter.calls.slice(-2)).toEqual(['ban 192.0.2.40', 'unban 192.0.2.40']);
      expect(adapter.calls.filter((c) => c.startsWith('ban')).length).toBe(done?.attempts);
      expect((await states(db)).map((s) => `${s.action}:${s.state}`)).toEqual(['ban:done', 'unban:done']);
      const { rows } = await db.query<{ action: string; username: string }>(
        `SELECT action, username FROM audit_log WHERE action LIKE 'soar.%' ORDER BY seq`
      );
      expect(rows).toEqual([
        { action: 'soar.ban', username: 'soar:auto-blocker' },
        { action: 'soar.ban.expire', username: 'soar:auto-blocker' },
      ]);
    } finally {
      await service.stop();
      await audit.close();
    }
  });
});
