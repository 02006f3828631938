import { randomUUID } from 'node:crypto';
import { chainHash } from '../src/audit/chain';
import { leafHash } from '../src/audit/merkle';
import { bearer, createTestApp, testDatabases, TEST_TOKENS, type TestApp } from './helpers';

const DAY = 86_400_000;
const ids: Record<string, string> = {};
const ev = (key: string, timestamp: string, action: string, resource: string, status: string, extra = {}) => ({
  id: (ids[key] = randomUUID()),
  timestamp,
  action,
  resource,
  status,
  ...extra,
});
const alice = { userId: 'u-alice', username: 'alice' };
const bob = { userId: 'u-bob', username: 'bob', resourceId: 'ban-42' };
const SEEDS = [
  ev('a1', '2024-03-01T08:00:00Z', 'login', 'session', 'success', {
    ...alice,
    method: 'post',
    path: '/login',
    query: { next: '/home' },
    body: { user: 'alice', password: 'p4ss' },
    ip: '198.51.100.7',
    userAgent: 'Mozilla/5.0',
    statusCode: 200,
    responseTime: 12.5,
    metadata: { a: 1 },
  }),
  ev('a2', '2024-03-01T09:00:00Z', 'login', 'session', 'failure', {
    ...alice,
    ip: '198.51.100.8',
    statusCode: 401,
    errorMessage: 'invalid password',
  }),
  ev('b1', '2024-03-02T10:00:00Z', 'ban.create', 'bans', 'success', { ...bob, ip: '203.0.113.5' }),
  // Same instant as b1: seq breaks the tie.
  ev('b2', '2024-03-02T10:00:00Z', 'ban.delete', 'bans', 'failure', {
    ...bob,
    ip: '2001:db8::1',
    errorMessage: 'gone',
  }),
  ev('c1', '2024-03-03T12:00:00Z', 'playbook.run', 'playbooks', 'success', {
    userId: 'u-carol',
    username: 'carol',
    resourceId: 'quarantine-host',
    ip: '2001:db8:1::5',
  }),
  ev('s1', '2024-03-04T00:00:00Z', 'export', 'audit', 'success', { userId: 'svc-backup', ip: '10.1.2.3' }),
  ev('d1', '2024-03-05T06:00:00Z', 'login', 'session', 'failure', {
    username: 'dave',
    ip: '2001:DB8::FF',
    errorMessage: 'account locked',
  }),
  ev('a3', '2024-03-05T12:00:00Z', 'config.update', 'settings', 'failure', {
    ...alice,
    ip: '192.0.2.1',
    errorMessage: 'permission denied',
  }),
  ev('recent', new Date(Date.now() - 2 * DAY).toISOString(), 'recent.check', 'probe', 'success'),
  ev('old', new Date(Date.now() - 40 * DAY).toISOString(), 'old.check', 'probe', 'failure'),
  ev('archived', '2010-01-01T00:00:00Z', 'legacy.sync', 'x', 'success', { username: 'eve' }),
];
/** 55 entries, three per instant, so that page boundaries fall inside ties. */
const BULK = Array.from({ length: 55 }, (_, i) => ({
  timestamp: new Date(Date.UTC(2023, 0, 1, 0, Math.floor(i / 3))).toISOString(),
  action: 'bulk',
  resource: 'bulk',
  resourceId: String(i),
  status: 'success',
}));
const MARCH = 'from=2024-03-01T00:00:00Z&to=2024-03-31T23:59:59Z';
/** The March entries, newest first. */
const MARCH_ORDER = ['a3', 'd1', 's1', 'c1', 'b2', 'b1', 'a2', 'a1'];

type Event = { id: string } & Record<string, unknown>;

describe.each(testDatabases)('audit read API on $name', ({ open }) => {
  let t: TestApp;
  const get = (url: string, token: string | null = TEST_TOKENS.viewer) =>
    t.app.inject({ method: 'GET', url, headers: token === null ? {} : bearer(token) });
  const ingest = (payload: object[]) =>
    t.app.inject({ method: 'POST', url: '/api/audit/events', headers: bearer(TEST_TOKENS.ingest), payload });
  const keysOf = (events: { id: string }[]) => events.map((e) => Object.keys(ids).find((k) => ids[k] === e.id) ?? e.id);
  const list = async (query: string) => {
    const res = await get(`/api/audit/events?${query}`);
    expect(res.statusCode).toBe(200);
    return res.json() as { events: Event[]; nextCursor: string | null };
  };
  const walk = async (query: string, from: string | null = null) => {
    const pages: string[][] = [];
    let cursor = from;
    do {
      const page = await list(`${query}${cursor === null ? '' : `&cursor=${cursor}`}`);
      pages.push(page.events.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor !== null && pages.length < 100);
    return pages;
  };

  beforeAll(async () => {
    t = await createTestApp({ db: await open() });
    for (const payload of [SEEDS, BULK]) expect((await ingest(payload)).statusCode).toBe(201);
    // Archiving as retention will do it: payload cleared, hashes kept (allowed by the trigger for old entries).
    await t.db.query(
      `UPDATE audit_log SET archived_at = now(), canonical = NULL, query = NULL, body = NULL, metadata = NULL,
         user_agent = NULL, error_message = NULL, ip_address = NULL, user_id = NULL, username = NULL,
         path = NULL, resource_id = NULL WHERE id = $1`,
      [ids.archived]
    );
  });
  afterAll(async () => {
    await t.close();
  });

  test('viewer and admin may read; no token is 401, the ingest token 403', async () => {
    for (const url of ['/api/audit/events', `/api/audit/events/${ids.a1}`, '/api/audit/stats']) {
      expect([(await get(url)).statusCode, (await get(url, TEST_TOKENS.admin)).statusCode]).toEqual([200, 200]);
      expect((await get(url, null)).statusCode).toBe(401);
      expect((await get(url, TEST_TOKENS.ingest)).statusCode).toBe(403);
    }
  });

  test('newest first, ties by seq, with every field; absent fields are null', async () => {
    const page = await list(MARCH);
    expect(keysOf(page.events)).toEqual(MARCH_ORDER);
    expect(page.nextCursor).toBeNull();
    const row = (
      await t.db.query<{ seq: number; leaf: string; prev: string; cur: string }>(
        `SELECT seq, encode(leaf_hash, 'hex') AS leaf, encode(hash_prev, 'hex') AS prev, encode(hash_current, 'hex') AS cur
         FROM audit_log WHERE id = $1`,
        [ids.a1]
      )
    ).rows[0];
    expect(page.events.at(-1)).toEqual({
      seq: row?.seq,
      id: ids.a1,
      timestamp: '2024-03-01T08:00:00.000Z',
      userId: 'u-alice',
      username: 'alice',
      action: 'login',
      resource: 'session',
      resourceId: null,
      method: 'POST',
      path: '/login',
      query: { next: '/home' },
      body: { user: 'alice', password: '***REDACTED***' },
      ip: '198.51.100.7',
      userAgent: 'Mozilla/5.0',
      status: 'success',
      statusCode: 200,
      responseTime: 12.5,
      errorMessage: null,
      metadata: { a: 1 },
      leafHash: row?.leaf,
      hashPrev: row?.prev,
      hashCurrent: row?.cur,
      archived: false,
    });
    expect(page.events.find((e) => e.id === ids.d1)).toMatchObject({ ip: '2001:db8::ff', userId: null, query: null });
  });

  test.each([
    ['user=alice', ['a3', 'a2', 'a1']],
    ['user=u-carol', ['c1']],
    ['user=svc-backup', ['s1']],
    ['user=&action=login', ['d1', 'a2', 'a1']],
    ['resource=bans', ['b2', 'b1']],
    ['status=failure', ['a3', 'd1', 'b2', 'a2']],
    ['ip=203.0.113.5', ['b1']],
    ['ip=::ffff:198.51.100.7', ['a1']],
    ['ip=198.51.100.0/24', ['a2', 'a1']],
    ['ip=10.0.0.0/8', ['s1']],
    ['ip=2001:db8::/32', ['d1', 'c1', 'b2']],
    ['ip=2001:db8::/48', ['d1', 'b2']],
    ['ip=2001:db8:1::5', ['c1']],
    ['q=locked', ['d1']],
    ['q=quarantine', ['c1']],
    ['q="invalid password"', ['a2']],
    ['q=login -alice', ['d1']],
    ['q=denied or locked', ['a3', 'd1']],
    ['action=login&status=failure', ['d1', 'a2']],
    ['user=alice&status=failure&ip=192.0.2.0/24', ['a3']],
    ['ip=2001:db8::/32&status=failure', ['d1', 'b2']],
    ['resource=bans&status=success', ['b1']],
    ['from=2024-03-02T10:00:00Z&to=2024-03-03T12:00:00Z', ['c1', 'b2', 'b1']],
  ])('filter %s', async (query, expected) => {
    const url = query.startsWith('from=') ? query : `${query}&${MARCH}`;
    expect(keysOf((await list(url.replace(/ /g, '%20').replace(/"/g, '%22'))).events)).toEqual(expected);
  });

  test('archived entries keep their hashes and say so; filters need no time range', async () => {
    const { events } = await list('action=legacy.sync');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      id: ids.archived,
      archived: true,
      username: null,
      leafHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const detail = await get(`/api/audit/events/${ids.archived}`);
    expect(detail.json()).toMatchObject({ archived: true, canonical: null, action: 'legacy.sync' });
  });

  test.each([
    ['ip=300.1.1.1', 'ip must be an IPv4 or IPv6 address or CIDR block (got "300.1.1.1")'],
    ['ip=10.0.0.0/33', 'ip must be an IPv4 or IPv6 address or CIDR block'],
    ['from=yesterday', 'querystring/from must match format "date-time"'],
    ['to=2024-03-01', 'querystring/to must match format "date-time"'],
    ['from=2024-03-02T00:00:00Z&to=2024-03-01T00:00:00Z', 'from must not be after to'],
    ['status=maybe', 'querystring/status must be equal to one of the allowed values'],
    ['limit=0', 'querystring/limit must be >= 1'],
    ['limit=501', 'querystring/limit must be <= 500'],
    ['cursor=not*base64', 'cursor is not one this API returned'],
    [`cursor=${Buffer.from('["2024-03-01", 1]').toString('base64url')}`, 'cursor is not one this API returned'],
    [`cursor=${Buffer.from('{"seq":1}').toString('base64url')}`, 'cursor is not one this API returned'],
    ['usr=alice', 'querystring must NOT have additional properties'],
  ])('400 for %s', async (query, message) => {
    const res = await get(`/api/audit/events?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain(message);
  });

  test.each([2, 3, 4, 8])('walking pages of %i returns every entry once, in order', async (limit) => {
    const pages = await walk(`${MARCH}&limit=${limit}`);
    expect(pages.map((p) => p.length)).toEqual(
      Array.from({ length: Math.ceil(8 / limit) }, (_, i) => Math.min(limit, 8 - i * limit))
    );
    expect(keysOf(pages.flat().map((id) => ({ id })))).toEqual(MARCH_ORDER);
  });

  test('pages default to 50 and break inside ties without losing or repeating entries', async () => {
    const first = await list('action=bulk');
    expect(first.events).toHaveLength(50);
    expect(first.nextCursor).not.toBeNull();
    const all = (await list('action=bulk&limit=500')).events.map((e) => e.id);
    expect(all).toHaveLength(55);
    const pages = await walk('action=bulk&limit=2');
    expect(pages).toHaveLength(28);
    expect(pages.flat()).toEqual(all);
    // Newer entries arriving mid-walk land before the cursor, so the walk goes on undisturbed.
    const half = await list('action=bulk&limit=20');
    expect((await ingest([{ ...BULK[0], timestamp: '2023-06-01T00:00:00Z' }])).statusCode).toBe(201);
    const rest = await walk('action=bulk&limit=20', half.nextCursor);
    expect([...half.events.map((e) => e.id), ...rest.flat()]).toEqual(all);
  });

  test('one entry by id, with the canonical bytes its hashes cover', async () => {
    const [b1, b2] = await Promise.all([get(`/api/audit/events/${ids.b1}`), get(`/api/audit/events/${ids.b2}`)]);
    expect([b1.statusCode, b2.statusCode]).toEqual([200, 200]);
    const prev = b1.json();
    const detail = b2.json();
    expect(detail).toMatchObject({
      id: ids.b2,
      seq: prev.seq + 1,
      ip: '2001:db8::1',
      resourceId: 'ban-42',
      method: null,
      archived: false,
    });
    const listed = (await list(`resource=bans&${MARCH}`)).events[0];
    expect({ ...listed, canonical: detail.canonical }).toEqual(detail);
    const bytes = Buffer.from(detail.canonical, 'base64');
    expect(JSON.parse(bytes.toString('utf8'))).toMatchObject({ id: ids.b2, seq: detail.seq, action: 'ban.delete' });
    expect(detail.leafHash).toBe(leafHash(bytes).toString('hex'));
    expect(detail.hashPrev).toBe(prev.hashCurrent);
    expect(detail.hashCurrent).toBe(chainHash(prev.hashCurrent, bytes));
  });

  test('404 for an unknown id, 400 for one that is not a UUID', async () => {
    const missing = randomUUID();
    const res = await get(`/api/audit/events/${missing}`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ message: `audit event ${missing} not found` });
    const bad = await get('/api/audit/events/not-a-uuid');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/params\/id/);
  });

  test.each([
    [MARCH, '2024-03-01 2 1, 2024-03-02 2 1, 2024-03-03 1 0, 2024-03-04 1 0, 2024-03-05 2 2'],
    [
      `groupBy=action&${MARCH}`,
      'login 3 2, ban.create 1 0, ban.delete 1 1, config.update 1 1, export 1 0, playbook.run 1 0',
    ],
    [`groupBy=resource&${MARCH}`, 'session 3 2, bans 2 1, audit 1 0, playbooks 1 0, settings 1 1'],
    // Without from: the 30 days before `to`, bounds included (s1 is exactly 30 days before).
    ['groupBy=action&to=2024-04-03T00:00:00Z', 'config.update 1 1, export 1 0, login 1 1'],
  ])('stats %s: key total failures = %s', async (query, expected) => {
    const res = await get(`/api/audit/stats?${query}`);
    expect(res.statusCode).toBe(200);
    const buckets = (res.json().buckets as { key: string; total: number; failures: number }[]).map(
      (b) => `${b.key} ${b.total} ${b.failures}`
    );
    expect(buckets.join(', ')).toBe(expected);
  });

  test('stats default to the last 30 days; bad parameters are 400', async () => {
    const keys = ((await get('/api/audit/stats?groupBy=action')).json().buckets as { key: string }[]).map((b) => b.key);
    expect(keys).toContain('recent.check');
    expect(keys).not.toContain('old.check');
    expect(keys).not.toContain('login');
    for (const query of ['groupBy=week', 'from=soon', 'from=2024-03-02T00:00:00Z&to=2024-03-01T00:00:00Z']) {
      expect((await get(`/api/audit/stats?${query}`)).statusCode).toBe(400);
    }
  });
});
