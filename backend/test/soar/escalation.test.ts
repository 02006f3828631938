import { MemoryBanStore } from '../../src/soar/ban-store';
import { Outcome, type Decision } from '../../src/soar/engine';
import { authRule, blockerConfig, engineWith, event, MIN, T0 } from './support';

const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Five failures from `ip` starting at `at` ms: one ban with authRule(5, …). */
function attack(engine: { process: (ev: ReturnType<typeof event>) => unknown }, ip: string, at: number): void {
  for (let i = 0; i < 5; i++) engine.process(event(at + i * 1000, ip));
}

const escalating = blockerConfig({
  rules: [authRule(5, 10 * MIN, 3600)],
  escalation: { factor: 2, maxDuration: 3 * 3600, permanentAfter: 4, permanentWindowMs: 7 * DAY },
});

describe('escalation', () => {
  test('the n-th ban within permanentWindowMs lasts duration × factor^(n−1), capped, then is permanent', () => {
    const { engine, decisions } = engineWith(escalating);
    for (let n = 0; n < 5; n++) attack(engine, '198.51.100.7', n * 10 * HOUR);
    expect(decisions.map((d) => [d.banNumber, d.duration])).toEqual([
      [1, 3600],
      [2, 7200],
      [3, 10_800], // 14,400 capped at maxDuration
      [4, -1], // permanentAfter
    ]);
    expect(decisions[3]?.untilMs).toBe(Infinity);
    expect(engine.process(event(100 * DAY, '198.51.100.7'))).toBe(Outcome.blocked);
  });

  test('only bans within permanentWindowMs before t count (t − ts < window)', () => {
    const config = blockerConfig({
      rules: [authRule(5, 10 * MIN, 60)],
      escalation: { factor: 2, maxDuration: 86_400, permanentAfter: 0, permanentWindowMs: DAY },
    });
    const { engine, decisions } = engineWith(config);
    attack(engine, '198.51.100.7', 0); // ban at t = 4 s
    attack(engine, '198.51.100.7', DAY); // ban at DAY + 4 s, exactly one window after the first: it no longer counts
    attack(engine, '198.51.100.7', DAY + HOUR); // the second one still does
    expect(decisions.map((d) => d.banNumber)).toEqual([1, 1, 2]);
  });

  test('ban_perm is permanent from the first ban; permanentAfter 0 never escalates to permanent', () => {
    const perm = engineWith(blockerConfig({ rules: [{ ...authRule(5, MIN), action: 'ban_perm' }] }));
    attack(perm.engine, '198.51.100.7', 0);
    expect(perm.decisions.map((d) => d.duration)).toEqual([-1]);
    const never = engineWith(
      blockerConfig({
        rules: [authRule(5, 10 * MIN, 3600)],
        escalation: { factor: 1, maxDuration: 3600, permanentAfter: 0, permanentWindowMs: 7 * DAY },
      })
    );
    for (let n = 0; n < 6; n++) attack(never.engine, '198.51.100.7', n * 2 * HOUR);
    expect(never.decisions.map((d) => d.duration)).toEqual([3600, 3600, 3600, 3600, 3600, 3600]);
  });

  test('the escalation state survives a restart through export and import', () => {
    const before = engineWith(escalating);
    attack(before.engine, '198.51.100.7', 0);
    attack(before.engine, '198.51.100.7', 2 * HOUR);
    attack(before.engine, '2001:db8::5', 0);
    const snapshot = JSON.parse(JSON.stringify((before.engine.store as MemoryBanStore).export()));

    const after = engineWith(escalating, { store: MemoryBanStore.import(snapshot) });
    expect(after.engine.process(event(2 * HOUR + MIN, '198.51.100.7'))).toBe(Outcome.blocked); // still banned
    attack(after.engine, '198.51.100.7', 6 * HOUR);
    expect(after.decisions.map((d) => [d.ip, d.banNumber, d.duration])).toEqual([['198.51.100.7', 3, 10_800]]);
    // A restart without the snapshot would have started over.
    const fresh = engineWith(escalating);
    attack(fresh.engine, '198.51.100.7', 6 * HOUR);
    expect(fresh.decisions[0]?.banNumber).toBe(1);
  });

  test('a lifted ban no longer blocks but still counts for escalation, also after a restart', () => {
    const { engine, decisions } = engineWith(escalating);
    attack(engine, '198.51.100.7', 0);
    expect(engine.lift('198.51.100.7')?.banNumber).toBe(1);
    expect(engine.process(event(MIN, '198.51.100.7'))).toBe(Outcome.counted);
    const restored = MemoryBanStore.import((engine.store as MemoryBanStore).export());
    expect(restored.bannedUntil('198.51.100.7', T0 + MIN)).toBe(0);
    expect(restored.bansSince('198.51.100.7', T0)).toBe(1);
    attack(engine, '198.51.100.7', 2 * MIN);
    expect(decisions.map((d) => d.banNumber)).toEqual([1, 2]);
  });
});

describe('bounded state', () => {
  test('windows of IPs idle for longer than the longest window are forgotten; ended bans are reported', () => {
    const ended: string[] = [];
    const { engine } = engineWith(blockerConfig({ rules: [authRule(3, 10 * MIN, 60)] }), {
      onExpired: (bans) => ended.push(...bans.map((b) => b.ip)),
      keepIdleIps: 1000,
    });
    for (let i = 0; i < 1000; i++) engine.process(event(i, `198.51.${i >> 8}.${i & 255}`));
    for (let i = 0; i < 3; i++) engine.process(event(1000 + i, '203.0.113.1'));
    expect(engine.trackedIps).toBe(1001);
    engine.process(event(30 * MIN, '203.0.113.2'));
    expect(engine.trackedIps).toBe(1);
    expect(ended).toEqual(['203.0.113.1']);
    // Below keepIdleIps, idle IPs are kept (and their stale times never count: t − ts ≥ windowMs).
    for (let i = 0; i < 3; i++) engine.process(event(31 * MIN + i, `198.51.0.${i}`));
    engine.process(event(60 * MIN, '203.0.113.3'));
    expect(engine.trackedIps).toBe(5);
  });

  test('past maxTrackedIps the oldest windows are dropped instead of growing', () => {
    const { engine } = engineWith(blockerConfig({ rules: [authRule(3, 10 * MIN)] }), { maxTrackedIps: 100 });
    for (let i = 0; i < 1000; i++) engine.process(event(i, `198.51.${i >> 8}.${i & 255}`));
    expect(engine.trackedIps).toBeLessThanOrEqual(100);
  });

  test('reportInfraction counts for a rule whatever its match, under the same rules', () => {
    const { engine, decisions } = engineWith(blockerConfig({ whitelist: ['10.0.0.0/8'], rules: [authRule(2, MIN)] }));
    expect(engine.reportInfraction('10.0.0.1', 'auth', T0)).toBe(Outcome.whitelisted);
    expect(engine.reportInfraction('198.51.100.1', 'auth', T0)).toBe(Outcome.counted);
    expect(engine.reportInfraction('198.51.100.1', 'auth', T0 + 1)).toBe(Outcome.banned);
    expect(engine.reportInfraction('198.51.100.1', 'auth', T0 + 2)).toBe(Outcome.blocked);
    expect(() => engine.reportInfraction('198.51.100.1', 'nope', T0)).toThrow('unknown rule: nope');
    expect(decisions.map((d: Decision) => d.ruleId)).toEqual(['auth']);
  });
});

describe('bans from elsewhere', () => {
  test('a ban added through the engine blocks at once, clears the windows, and counts for escalation', () => {
    const { engine, decisions } = engineWith(escalating);
    for (let i = 0; i < 4; i++) engine.process(event(i * 1000, '198.51.100.7'));
    engine.addBan({ ip: '198.51.100.7', ruleId: 'manual', atMs: T0 + 5000, untilMs: T0 + 10_000, banNumber: 1 });
    expect(engine.process(event(6000, '198.51.100.7'))).toBe(Outcome.blocked);
    expect(engine.process(event(10_000, '198.51.100.7'))).toBe(Outcome.counted); // the 4 before the ban are gone
    attack(engine, '198.51.100.7', 20_000);
    expect(decisions.map((d) => [d.banNumber, d.duration])).toEqual([[2, 7200]]);
  });
});
