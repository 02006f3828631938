import { randomUUID } from 'node:crypto';
import { testDatabases, type TestApp } from '../helpers';
import { admin, ev, post, securityApp, viewer } from './support';

interface EventRecord {
  id: string;
  time: string;
  type: string;
  ip: string;
  user: string | null;
}

describe.each(testDatabases)('reading security events and bans on $name', ({ open }) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await securityApp({ db: await open() });
    // 30 events, one per second of event time, oldest first: 10 failed logins of 3 users on 2001:db8::/32, the
    // rest ordinary requests from 192.0.2.0/24; plus, apart, one whose text needs escaping in COPY.
    const events = Array.from({ length: 30 }, (_, i) =>
      i % 3 === 0
        ? ev(`2001:db8::${i}`, 'auth.login.failed', { user: `user${i % 2}` }, 100 - i)
        : ev(`192.0.2.${i}`, 'http.request', { status: 200, method: 'GET', path: `/p/${i}` }, 100 - i)
    );
    expect((await post(t, events)).statusCode).toBe(200);
    const odd = ev('192.0.2.200', 'app.custom', { msg: 'tab\there\nnewline \\ back\u0000slash', user: 'ünï' }, 10);
    expect((await post(t, [odd])).statusCode).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  const get = async (url: string) => {
    const res = await t.app.inject({ method: 'GET', url, headers: viewer });
    return { status: res.statusCode, body: res.json() };
  };

  test('pages newest first, without gaps or repeats', async () => {
    const seen: EventRecord[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(`/api/security/events?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body.events as EventRecord[]));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(seen).toHaveLength(31);
    expect(new Set(seen.map((e) => e.id)).size).toBe(31);
    const times = seen.map((e) => e.time);
    expect([...times].sort().reverse()).toEqual(times);
  });

  test('filters: type, address or block, user, time range, outcome', async () => {
    expect((await get('/api/security/events?type=auth.login.failed&limit=100')).body.events).toHaveLength(10);
    expect((await get('/api/security/events?ip=2001:db8::/32&limit=100')).body.events).toHaveLength(10);
    expect((await get('/api/security/events?ip=192.0.2.4')).body.events).toEqual([
      expect.objectContaining({ ip: '192.0.2.4', path: '/p/4', status: 200, severity: 'info', outcome: 'ignored' }),
    ]);
    expect((await get('/api/security/events?user=user1&limit=100')).body.events).toHaveLength(5);
    const from = new Date(Date.now() - 95_000).toISOString();
    const to = new Date(Date.now() - 85_000).toISOString();
    const range = (await get(`/api/security/events?from=${from}&to=${to}&limit=100`)).body.events as EventRecord[];
    expect(range.length).toBeGreaterThanOrEqual(9);
    expect(range.length).toBeLessThanOrEqual(11);
    expect((await get('/api/security/events?outcome=banned')).body.events).toEqual([]);
  });

  test('text that needs escaping is stored as sent (NUL aside)', async () => {
    const [odd] = (await get('/api/security/events?type=app.custom')).body.events;
    expect(odd).toMatchObject({ msg: 'tab\there\nnewline \\ back\uFFFDslash', user: 'ünï' });
    expect((await get(`/api/security/events/${odd.id}`)).body).toEqual(odd);
  });

  test('bad filters and unknown ids get 4xx', async () => {
    expect((await get('/api/security/events?ip=not-an-ip')).status).toBe(400);
    expect((await get('/api/security/events?from=yesterday')).status).toBe(400);
    expect((await get('/api/security/events?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z')).status).toBe(400);
    expect((await get('/api/security/events?cursor=garbage')).status).toBe(400);
    expect((await get('/api/security/events?limit=0')).status).toBe(400);
    expect((await get('/api/security/events?severity=extreme')).status).toBe(400);
    expect((await get('/api/security/events/not-a-uuid')).status).toBe(400);
    expect((await get(`/api/security/events/${randomUUID()}`)).status).toBe(404);
    expect((await get('/api/soar/bans?state=sometimes')).status).toBe(400);
    expect((await get('/api/soar/bans?cursor=%%%')).status).toBe(400);
    expect((await get('/api/security/stats?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z')).status).toBe(400);
    const noToken = await t.app.inject({ method: 'GET', url: '/api/security/events' });
    expect(noToken.statusCode).toBe(401);
  });

  test('stats: per type and severity over the window, bans, top addresses', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/security/ban',
      headers: admin,
      payload: { ip: '192.0.2.1', duration: 60, reason: 'stats' },
    });
    const { status, body } = await get('/api/security/stats');
    expect(status).toBe(200);
    expect(body.total).toBe(31);
    expect(body.byType).toEqual([
      { type: 'http.request', count: 20 },
      { type: 'auth.login.failed', count: 10 },
      { type: 'app.custom', count: 1 },
    ]);
    expect(body.bySeverity).toEqual([
      { severity: 'info', count: 21 },
      { severity: 'medium', count: 10 },
    ]);
    expect(body).toMatchObject({ activeBans: 1, blockedIps24h: 1 });
    expect(body.topIps).toHaveLength(10);
    const empty = await get('/api/security/stats?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z');
    expect(empty.body).toMatchObject({ total: 0, byType: [], topIps: [] });
  });

  test('bans page newest first', async () => {
    for (const ip of ['192.0.2.101', '192.0.2.102', '192.0.2.103']) {
      await t.app.inject({
        method: 'POST',
        url: '/api/security/ban',
        headers: admin,
        payload: { ip, duration: 60, reason: 'p' },
      });
    }
    const first = await get('/api/soar/bans?limit=2');
    expect(first.body.bans.map((b: { ip: string }) => b.ip)).toEqual(['192.0.2.103', '192.0.2.102']);
    const second = await get(`/api/soar/bans?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.bans.map((b: { ip: string }) => b.ip)).toContain('192.0.2.101');
  });
});
