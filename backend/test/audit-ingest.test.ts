import { bearer, createTestApp, testDatabases, TEST_TOKENS, type TestApp } from './helpers';

const ingest = { 'content-type': 'application/json', ...bearer(TEST_TOKENS.ingest) };
const login = (user: string, status: 'success' | 'failure' = 'failure') => ({
  action: 'login',
  resource: 'session',
  username: user,
  status,
  ip: '::ffff:198.51.100.7',
  body: { user, password: 'p4ss' },
});

describe.each(testDatabases)('POST /api/audit/events on $name', ({ open }) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ db: await open(), env: { AUDIT_MAX_BATCH_SIZE: '3' } });
  });
  afterEach(async () => {
    await t.close();
  });

  /** Ingested events only: every request is also recorded by the HTTP audit hook. */
  const count = async () => {
    await t.app.audit.flush();
    return (await t.db.query<{ n: number }>("SELECT count(*)::int8 AS n FROM audit_log WHERE action = 'login'")).rows[0]
      ?.n;
  };

  test('accepts an array or { events }, answers 201 with the seqs once committed', async () => {
    const first = await t.app.inject({
      method: 'POST',
      url: '/api/audit/events',
      headers: ingest,
      payload: [login('a'), login('b')],
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ accepted: 2, firstSeq: 0, lastSeq: 1 });
    const second = await t.app.inject({
      method: 'POST',
      url: '/api/audit/events',
      headers: { 'content-type': 'application/json', ...bearer(TEST_TOKENS.admin) },
      payload: { events: [login('c', 'success')] },
    });
    // The audit hook records the first request right after its response, usually before this one (seq 2).
    const { accepted, firstSeq, lastSeq } = second.json();
    expect(accepted).toBe(1);
    expect(lastSeq).toBe(firstSeq);
    expect([2, 3]).toContain(firstSeq);
    expect(await count()).toBe(3);
    const row = await t.db.query<{ ip_address: string; body: unknown }>(
      'SELECT ip_address, body FROM audit_log WHERE seq = 0'
    );
    expect(row.rows[0]).toEqual({ ip_address: '198.51.100.7', body: { user: 'a', password: '***REDACTED***' } });

    // The two POST requests are in the trail too, and /metrics itself is excluded.
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('audit_log_entries_total 5');
    expect(metrics).toContain('audit_log_tree_size 5');
    expect(metrics).toMatch(/audit_log_write_duration_seconds_count [2-5]\b/);
  });

  test.each([
    ['events[1].status', [login('a'), { ...login('b'), status: 'maybe' }]],
    ['events[1].action: expected required property', [login('a'), { resource: 'x', status: 'success' }]],
    ['events[0].extra', [{ ...login('a'), extra: 1 }]],
    ['events[0].statusCode', [{ ...login('a'), statusCode: 'x' }]],
    ['events[1].ip is not an IPv4 or IPv6 address', [login('a'), { ...login('b'), ip: '300.1.1.1' }]],
    ['events[1].timestamp', [login('a'), { ...login('b'), timestamp: 'soon' }]],
    ['at most 3 are accepted', [login('a'), login('b'), login('c'), login('d')]],
    ['at least one event', []],
  ])('400 naming %s, nothing written', async (message, payload) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/audit/events', headers: ingest, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().message.toLowerCase()).toContain(message.toLowerCase());
    expect(await count()).toBe(0);
  });

  test('a retried batch with event ids is a 409 and writes nothing; batches committed with it are unharmed', async () => {
    const ids = ['0b7c7a52-5d4e-4c0b-9b1e-0a4c2f1d9e01', '0b7c7a52-5d4e-4c0b-9b1e-0a4c2f1d9e02'];
    const withIds = ids.map((id, i) => ({ ...login(`id-${i}`), id }));
    const first = await t.app.inject({ method: 'POST', url: '/api/audit/events', headers: ingest, payload: withIds });
    expect(first.statusCode).toBe(201);
    // The retry and an unrelated batch arrive together, so they can share one group commit.
    const [retry, other] = await Promise.all([
      t.app.inject({ method: 'POST', url: '/api/audit/events', headers: ingest, payload: withIds }),
      t.app.inject({ method: 'POST', url: '/api/audit/events', headers: ingest, payload: [login('carol')] }),
    ]);
    expect(retry.statusCode).toBe(409);
    expect(retry.json()).toEqual({
      message: 'id is already recorded in the audit trail; nothing of this batch was written',
    });
    expect(other.statusCode).toBe(201);
    expect(await count()).toBe(3);
  });

  test('malformed JSON and wrong body shapes are 400; a viewer may not ingest', async () => {
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/api/audit/events',
      headers: ingest,
      payload: '[{"action":',
    });
    expect(malformed.statusCode).toBe(400);
    const shape = await t.app.inject({
      method: 'POST',
      url: '/api/audit/events',
      headers: ingest,
      payload: { event: [] },
    });
    expect(shape.statusCode).toBe(400);
    const viewer = await t.app.inject({
      method: 'POST',
      url: '/api/audit/events',
      headers: { 'content-type': 'application/json', ...bearer(TEST_TOKENS.viewer) },
      payload: [login('a')],
    });
    expect(viewer.statusCode).toBe(403);
    expect(await count()).toBe(0);
  });
});
