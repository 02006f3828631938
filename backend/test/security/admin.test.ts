import { testDatabases, type TestApp } from '../helpers';
import { admin, ev, ingest, post, securityApp, viewer } from './support';

type Headers = Record<string, string>;

async function auditActions(t: TestApp, action: string) {
  const res = await t.app.inject({ method: 'GET', url: `/api/audit/events?action=${action}`, headers: viewer });
  return res.json().events as { username: string; ip: string | null; metadata: Record<string, unknown> }[];
}

describe.each(testDatabases)('admin actions on $name', ({ open }) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await securityApp({ db: await open() });
  });
  afterEach(async () => {
    await t.close();
  });

  const ban = (payload: unknown, headers: Headers = admin) =>
    t.app.inject({ method: 'POST', url: '/api/security/ban', headers, payload: payload as object });

  test('a viewer or ingest token cannot ban, unban nor edit the whitelist', async () => {
    for (const headers of [viewer, ingest]) {
      expect((await ban({ ip: '192.0.2.1', duration: 60, reason: 'x' }, headers)).statusCode).toBe(403);
      const unban = await t.app.inject({ method: 'DELETE', url: '/api/security/ban/192.0.2.1?reason=x', headers });
      expect(unban.statusCode).toBe(403);
      const wl = await t.app.inject({
        method: 'POST',
        url: '/api/soar/whitelist',
        headers,
        payload: { ip: '192.0.2.1', reason: 'x' },
      });
      expect(wl.statusCode).toBe(403);
    }
    expect((await ban({ ip: '192.0.2.1', duration: 60, reason: 'x' }, {})).statusCode).toBe(401);
    const bans = await t.app.inject({ method: 'GET', url: '/api/soar/bans', headers: viewer });
    expect(bans.json().bans).toEqual([]);
  });

  test('every bad ban gets 400 with a clear message', async () => {
    const cases: [unknown, RegExp][] = [
      [{ ip: '192.0.2.1', duration: 60 }, /reason/],
      [{ ip: '192.0.2.1', duration: 60, reason: '' }, /reason/],
      [{ ip: 'example.com', duration: 60, reason: 'x' }, /ip must be an IPv4 or IPv6 address or CIDR block/],
      [{ ip: '192.0.2.1/40', duration: 60, reason: 'x' }, /ip must be/],
      [{ ip: '192.0.2.1', reason: 'x' }, /duration \(seconds\) is required/],
      [{ ip: '192.0.2.1', duration: 60, permanent: true, reason: 'x' }, /not both/],
      [{ ip: '192.0.2.1', duration: 0, reason: 'x' }, /duration/],
      [{ ip: '192.0.2.1', duration: 60, reason: 'x', extra: 1 }, /extra|additional/],
    ];
    for (const [payload, message] of cases) {
      const res = await ban(payload);
      expect({ payload, status: res.statusCode }).toEqual({ payload, status: 400 });
      expect(res.json().message).toMatch(message);
    }
    const notJson = await t.app.inject({
      method: 'POST',
      url: '/api/security/ban',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '{"ip":',
    });
    expect(notJson.statusCode).toBe(400);
    const badParam = await t.app.inject({ method: 'DELETE', url: '/api/security/ban/nope?reason=x', headers: admin });
    expect(badParam.statusCode).toBe(400);
  });

  test('manual ban of an address: in force at once, audited with who and why, then lifted', async () => {
    const res = await ban(
      { ip: '::ffff:192.0.2.10', duration: 600, reason: 'credential stuffing' },
      { ...admin, 'x-grafana-user': 'alice' }
    );
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      ip: '192.0.2.10',
      ruleId: 'manual',
      actor: 'alice',
      duration: 600,
      active: true,
    });
    expect((await post(t, [ev('192.0.2.10', 'http.request', { status: 200 })])).json().outcomes.blocked).toBe(1);
    expect(await auditActions(t, 'security.ban')).toEqual([
      expect.objectContaining({
        username: 'alice',
        ip: '192.0.2.10',
        metadata: expect.objectContaining({ reason: 'credential stuffing' }),
      }),
    ]);

    const missingReason = await t.app.inject({ method: 'DELETE', url: '/api/security/ban/192.0.2.10', headers: admin });
    expect(missingReason.statusCode).toBe(400);
    const lift = await t.app.inject({
      method: 'DELETE',
      url: '/api/security/ban/192.0.2.10',
      headers: { ...admin, 'x-grafana-user': 'bob' },
      payload: { reason: 'false positive' },
    });
    expect(lift.statusCode).toBe(200);
    expect(lift.json().lifted).toEqual([
      expect.objectContaining({ active: false, liftedBy: 'bob', liftReason: 'false positive' }),
    ]);
    expect((await post(t, [ev('192.0.2.10', 'http.request', { status: 200 })])).json().outcomes.blocked).toBe(0);
    expect(await auditActions(t, 'security.unban')).toEqual([
      expect.objectContaining({ username: 'bob', metadata: expect.objectContaining({ reason: 'false positive' }) }),
    ]);
    const again = await t.app.inject({
      method: 'DELETE',
      url: '/api/security/ban/192.0.2.10?reason=x',
      headers: admin,
    });
    expect(again.statusCode).toBe(404);
  });

  test('manual ban of a CIDR block blocks every address inside it; a newer ban replaces the older', async () => {
    expect((await ban({ ip: '198.51.100.77/24', permanent: true, reason: 'hostile range' })).json()).toMatchObject({
      ip: '198.51.100.0/24',
      until: null,
      duration: -1,
    });
    const res = await post(t, [ev('198.51.100.1'), ev('198.51.100.254', 'http.request'), ev('198.51.101.1')]);
    expect(res.json().outcomes).toMatchObject({ blocked: 2, counted: 1 });
    expect((await ban({ ip: '198.51.100.0/24', duration: 60, reason: 'shorter' })).statusCode).toBe(201);
    const bans = await t.app.inject({ method: 'GET', url: '/api/soar/bans?state=all', headers: viewer });
    expect(bans.json().bans).toEqual([
      expect.objectContaining({ duration: 60, active: true }),
      expect.objectContaining({
        duration: -1,
        active: false,
        liftReason: expect.stringMatching(/^superseded by ban /),
      }),
    ]);
    const lift = await t.app.inject({
      method: 'DELETE',
      url: `/api/security/ban/${encodeURIComponent('198.51.100.0/24')}?reason=done`,
      headers: admin,
    });
    expect(lift.statusCode).toBe(200);
    expect((await post(t, [ev('198.51.100.1', 'http.request')])).json().outcomes.blocked).toBe(0);
  });

  test('a block is unbanned with the address in the body, past proxies that decode %2F in paths', async () => {
    expect((await ban({ ip: '203.0.113.0/24', duration: 600, reason: 'scanner range' })).statusCode).toBe(201);
    const unban = (payload: object, headers: Headers = admin) =>
      t.app.inject({ method: 'DELETE', url: '/api/security/ban', headers, payload });
    expect((await unban({ ip: '203.0.113.0/24', reason: 'x' }, viewer)).statusCode).toBe(403);
    const noReason = await unban({ ip: '203.0.113.0/24' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().message).toMatch(/reason/);
    expect((await unban({ ip: 'example.com', reason: 'x' })).json().message).toMatch(/ip must be/);
    expect((await post(t, [ev('203.0.113.9', 'http.request')])).json().outcomes.blocked).toBe(1);

    const lifted = await unban(
      { ip: '203.0.113.0/24', reason: 'range reassigned' },
      { ...admin, 'x-grafana-user': 'dan' }
    );
    expect(lifted.statusCode).toBe(200);
    expect(lifted.json().lifted).toEqual([
      expect.objectContaining({ ip: '203.0.113.0/24', liftedBy: 'dan', liftReason: 'range reassigned' }),
    ]);
    expect((await post(t, [ev('203.0.113.9', 'http.request')])).json().outcomes.blocked).toBe(0);
    const again = await unban({ ip: '203.0.113.0/24', reason: 'x' });
    expect(again.statusCode).toBe(404);
    expect(again.json().message).toBe('no ban of 203.0.113.0/24 is in force');
  });

  test('whitelist: edits apply at once, lift the bans inside, expire, and the file entries stay', async () => {
    await post(t, [ev('203.0.113.5'), ev('203.0.113.5'), ev('203.0.113.5')]); // banned by the auth rule
    const add = await t.app.inject({
      method: 'POST',
      url: '/api/soar/whitelist',
      headers: { ...admin, 'x-grafana-user': 'carol' },
      payload: { ip: '203.0.113.0/28', reason: 'office', ttlSeconds: 1 },
    });
    expect(add.statusCode).toBe(201);
    expect(add.json()).toMatchObject({ created: true, liftedBans: 1, entry: { ip: '203.0.113.0/28', actor: 'carol' } });
    expect((await post(t, [ev('203.0.113.5'), ev('203.0.113.9')])).json().outcomes).toMatchObject({ whitelisted: 2 });
    const list = await t.app.inject({ method: 'GET', url: '/api/soar/whitelist', headers: viewer });
    expect(list.json().entries.map((e: { ip: string; source: string }) => `${e.source}:${e.ip}`)).toEqual([
      'config:127.0.0.1',
      'config:10.0.0.0/8',
      'config:2001:db8:ffff::/48',
      'api:203.0.113.0/28',
    ]);
    expect(await auditActions(t, 'soar.whitelist.add')).toEqual([
      expect.objectContaining({ username: 'carol', metadata: expect.objectContaining({ reason: 'office' }) }),
    ]);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    await t.app.security.maintain();
    expect((await post(t, [ev('203.0.113.9')])).json().outcomes).toMatchObject({ counted: 1 });
    expect(await auditActions(t, 'soar.whitelist.expire')).toHaveLength(1);

    const fileEntry = await t.app.inject({
      method: 'DELETE',
      url: '/api/soar/whitelist',
      headers: admin,
      payload: { ip: '10.0.0.0/8', reason: 'x' },
    });
    expect(fileEntry.statusCode).toBe(409);
    const missing = await t.app.inject({
      method: 'DELETE',
      url: '/api/soar/whitelist',
      headers: admin,
      payload: { ip: '192.0.2.99', reason: 'x' },
    });
    expect(missing.statusCode).toBe(404);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/soar/whitelist',
      headers: admin,
      payload: { ip: '192.0.2.1', reason: 'x', expiresAt: '2001-01-01T00:00:00Z' },
    });
    expect(bad.statusCode).toBe(400);
    expect((await ban({ ip: '10.1.2.3', duration: 60, reason: 'x' })).statusCode).toBe(409);
  });

  test('whitelist entry removed through the API: counted again at once', async () => {
    const payload = { ip: '2001:db8:1::/64', reason: 'lab' };
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/soar/whitelist', headers: admin, payload })).statusCode
    ).toBe(201);
    expect((await post(t, [ev('2001:db8:1::42')])).json().outcomes).toMatchObject({ whitelisted: 1 });
    const removed = await t.app.inject({ method: 'DELETE', url: '/api/soar/whitelist', headers: admin, payload });
    expect(removed.statusCode).toBe(200);
    expect((await post(t, [ev('2001:db8:1::42')])).json().outcomes).toMatchObject({ counted: 1 });
  });

  test('infractions count as a matching event now; rules list what was counted', async () => {
    const report = (payload: unknown, headers: Headers = ingest) =>
      t.app.inject({ method: 'POST', url: '/api/soar/infractions', headers, payload: payload as object });
    expect((await report({ ip: '192.0.2.77', ruleId: 'auth' })).json()).toMatchObject({ outcome: 'counted' });
    await report({ ip: '192.0.2.77', ruleId: 'auth' });
    const third = await report({ ip: '192.0.2.77', ruleId: 'auth', reason: 'password spraying' });
    expect(third.json()).toMatchObject({ outcome: 'banned', decisions: [expect.objectContaining({ ruleId: 'auth' })] });
    expect((await report({ ip: '192.0.2.77', ruleId: 'nope' })).statusCode).toBe(404);
    expect((await report({ ip: 'nope', ruleId: 'auth' })).statusCode).toBe(400);
    expect((await report({ ip: '192.0.2.77', ruleId: 'auth' }, viewer)).statusCode).toBe(403);
    const event = await t.app.inject({
      method: 'GET',
      url: `/api/security/events/${third.json().eventId}`,
      headers: viewer,
    });
    expect(event.json()).toMatchObject({
      type: 'soar.infraction',
      outcome: 'banned',
      severity: 'medium',
      source: 'infraction',
    });
    const rules = await t.app.inject({ method: 'GET', url: '/api/soar/rules', headers: viewer });
    expect(rules.json().rules.find((r: { id: string }) => r.id === 'auth')).toMatchObject({ matched: 3, decisions: 1 });
  });
});
