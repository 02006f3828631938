import { Outcome } from '../../src/soar/engine';
import { authRule, blockerConfig, engineWith, event, MIN, T0 } from './support';

describe('sliding windows', () => {
  const config = blockerConfig({ rules: [authRule(5, 10 * MIN)] });

  test('threshold − 1 failures within the window do not ban; the threshold-th does', () => {
    const { engine, decisions } = engineWith(config);
    for (let i = 0; i < 4; i++) expect(engine.process(event(i * MIN, '192.0.2.1'))).toBe(Outcome.counted);
    expect(decisions).toEqual([]);
    expect(engine.process(event(4 * MIN, '192.0.2.1'))).toBe(Outcome.banned);
    expect(decisions).toEqual([
      {
        action: 'ban',
        ip: '192.0.2.1',
        ruleId: 'auth',
        severity: 'medium',
        atMs: T0 + 4 * MIN,
        duration: 3600,
        banNumber: 1,
        untilMs: T0 + 4 * MIN + 3_600_000,
      },
    ]);
  });

  test('an event exactly windowMs older no longer counts (t − ts < windowMs); 1 ms less still does', () => {
    const spread = (gap: number) => {
      const { engine, decisions } = engineWith(config);
      for (const t of [0, 1, 2, 3]) engine.process(event(t, '192.0.2.1'));
      engine.process(event(gap, '192.0.2.1'));
      return decisions.length;
    };
    expect(spread(10 * MIN)).toBe(0); // the event at 0 is exactly windowMs older
    expect(spread(10 * MIN - 1)).toBe(1);
  });

  test('windows are per IP and per rule', () => {
    const { engine, decisions } = engineWith(config);
    for (let i = 0; i < 4; i++) {
      engine.process(event(i, '192.0.2.1'));
      engine.process(event(i, '192.0.2.2'));
      engine.process(event(i, '192.0.2.1', 'http.request'));
    }
    expect(decisions).toEqual([]);
    engine.process(event(10, '192.0.2.2'));
    expect(decisions.map((d) => d.ip)).toEqual(['192.0.2.2']);
  });

  test('a threshold of 1 bans on the first matching event', () => {
    const { engine, decisions } = engineWith(
      blockerConfig({
        rules: [{ id: 'scan', match: { event: ['network.scan.detected'] }, threshold: 1, action: 'ban_perm' }],
      })
    );
    engine.process(event(0, '203.0.113.9', 'network.scan.detected'));
    expect(decisions).toMatchObject([{ ruleId: 'scan', duration: -1, untilMs: Infinity, banNumber: 1 }]);
  });
});

describe('match', () => {
  test('all given keys must hold; a list means any of its values; {} matches every event', () => {
    const config = blockerConfig({
      rules: [
        { id: 'admin', match: { status: [401, 403], pathPrefix: '/api/v1/admin/' }, threshold: 1 },
        { id: 'writes', match: { method: ['post', 'DELETE'], event: ['http.request'] }, threshold: 1 },
        { id: 'all', match: {}, threshold: 2 },
      ],
    });
    const { engine, decisions } = engineWith(config);
    engine.process(event(0, '192.0.2.1', 'http.request', { status: 401, path: '/api/v1/items' }));
    engine.process(event(1, '192.0.2.1', 'http.request', { status: 200, path: '/api/v1/admin/users' }));
    expect(decisions.map((d) => d.ruleId)).toEqual(['all']);
    engine.process(event(2, '192.0.2.2', 'http.request', { status: 403, path: '/api/v1/admin/users' }));
    engine.process(event(3, '192.0.2.3', 'http.request', { method: 'DELETE' }));
    engine.process(event(4, '192.0.2.4', 'audit.event', { method: 'POST' }));
    expect(decisions.map((d) => `${d.ruleId} ${d.ip}`)).toEqual([
      'all 192.0.2.1',
      'admin 192.0.2.2',
      'writes 192.0.2.3',
    ]);
    // Rules after a ban are not evaluated: "all" counted 192.0.2.1 twice and 192.0.2.4 once.
    expect(engine.ruleStats()).toEqual([
      { id: 'admin', matched: 1, decisions: 1 },
      { id: 'writes', matched: 1, decisions: 1 },
      { id: 'all', matched: 3, decisions: 1 },
    ]);
  });
});

describe('rule order and bans', () => {
  const config = blockerConfig({
    rules: [
      { id: 'first', match: { event: ['auth.login.failed'] }, threshold: 3, windowMs: MIN, duration: 100 },
      { id: 'second', match: {}, threshold: 3, windowMs: MIN, duration: 200 },
    ],
  });

  test('when several rules trigger on one event, the first in the file wins', () => {
    const { engine, decisions } = engineWith(config);
    for (let i = 0; i < 3; i++) engine.process(event(i, '192.0.2.1'));
    expect(decisions.map((d) => [d.ruleId, d.duration])).toEqual([['first', 100]]);
  });

  test('a ban clears every window of the IP; its events meanwhile count as blocked', () => {
    const { engine, decisions } = engineWith(config);
    engine.process(event(0, '192.0.2.1', 'http.request'));
    engine.process(event(1, '192.0.2.1', 'http.request'));
    for (let i = 2; i < 5; i++) engine.process(event(i, '192.0.2.1')); // "second" triggers at i = 2
    expect(decisions.map((d) => d.ruleId)).toEqual(['second']);
    expect(engine.process(event(5, '192.0.2.1'))).toBe(Outcome.blocked);
    expect(engine.blocked).toBe(3);
    // After the ban (200 s), counting starts from zero for both rules.
    engine.process(event(200_000, '192.0.2.1'));
    engine.process(event(200_001, '192.0.2.1'));
    expect(decisions).toHaveLength(1);
  });

  test('a ban expires at t + duration: from then on the IP is counted again', () => {
    const { engine, decisions } = engineWith(config);
    for (let i = 0; i < 3; i++) engine.process(event(i, '192.0.2.1'));
    const until = (decisions[0]?.untilMs as number) - T0;
    expect(engine.process(event(until - 1, '192.0.2.1'))).toBe(Outcome.blocked);
    expect(engine.process(event(until, '192.0.2.1'))).toBe(Outcome.counted);
  });

  test('an alert rule emits an alert, clears only its own window, and bans nothing', () => {
    const { engine, decisions } = engineWith(
      blockerConfig({
        rules: [
          { id: 'watch', match: {}, threshold: 2, action: 'alert', severity: 'low' },
          { id: 'auth', match: { event: ['auth.login.failed'] }, threshold: 3 },
        ],
      })
    );
    const outcomes = [0, 1, 2, 3, 4].map((i) => engine.process(event(i, '192.0.2.1')));
    expect(outcomes).toEqual(['counted', 'alerted', 'banned', 'blocked', 'blocked']);
    expect(decisions.map((d) => [d.action, d.ruleId, d.duration, d.banNumber])).toEqual([
      ['alert', 'watch', 0, 0],
      ['ban', 'auth', 600, 1],
    ]);
  });
});

describe('whitelist', () => {
  const config = blockerConfig({ whitelist: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'], rules: [authRule(1, MIN)] });

  test.each(['10.1.2.3', '10.255.255.255', '2001:db8::1', '2001:db8:ffff::42', '192.0.2.7'])(
    '%s is never counted nor banned',
    (ip) => {
      const { engine, decisions } = engineWith(config);
      expect(engine.process(event(0, ip))).toBe(Outcome.whitelisted);
      expect(decisions).toEqual([]);
      expect(engine.ruleStats()[0]?.matched).toBe(0);
    }
  );

  test.each(['11.0.0.1', '9.255.255.255', '2001:db9::1', '192.0.2.8'])('%s is counted', (ip) => {
    const { engine } = engineWith(config);
    expect(engine.process(event(0, ip))).toBe(Outcome.banned);
  });

  test('a whitelist change applies to IPs already tracked', () => {
    const { engine } = engineWith(blockerConfig({ rules: [authRule(2, MIN)] }));
    engine.process(event(0, '198.51.100.1'));
    engine.setWhitelist(['198.51.100.0/24']);
    expect(engine.process(event(1, '198.51.100.1'))).toBe(Outcome.whitelisted);
  });
});
