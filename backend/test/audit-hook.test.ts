import { toAuditEvent, MAX_CAPTURED_BODY_BYTES } from '../src/audit/http-capture';
import { bearer, createTestApp, TEST_TOKENS, type TestApp } from './helpers';

interface Row {
  seq: number;
  username: string | null;
  action: string;
  resource: string;
  method: string;
  path: string;
  query: unknown;
  ip_address: string;
  status: string;
  status_code: number;
  error_message: string | null;
  metadata: { requestId: string; role?: string };
}

describe('HTTP audit hook', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  async function rows(): Promise<Row[]> {
    await t.app.audit.flush();
    return (
      await t.db.query<Row>(
        `SELECT seq, username, action, resource, method, path, query, host(ip_address) AS ip_address, status,
                status_code, error_message, metadata FROM audit_log ORDER BY seq`
      )
    ).rows;
  }

  test('records who did what on every request, with the outcome; excluded paths are skipped', async () => {
    const ok = await t.app.inject({
      method: 'GET',
      url: '/api/system/session?verbose=1',
      headers: { ...bearer(TEST_TOKENS.admin), 'x-grafana-user': 'alice', 'user-agent': 'grafana/12' },
      remoteAddress: '203.0.113.9',
    });
    await t.app.inject({ method: 'GET', url: '/api/system/config', headers: bearer(TEST_TOKENS.viewer) });
    await t.app.inject({ method: 'GET', url: '/api/system/info' });
    await t.app.inject({ method: 'GET', url: '/wp-login.php' });
    for (const url of ['/health', '/ready', '/metrics', '/docs/']) await t.app.inject({ method: 'GET', url });

    const recorded = await rows();
    expect(recorded.map((r) => [r.action, r.resource, r.status_code, r.status])).toEqual([
      ['read', '/api/system/session', 200, 'success'],
      ['read', '/api/system/config', 403, 'failure'],
      ['read', '/api/system/info', 401, 'failure'],
      ['read', 'unmatched', 404, 'failure'],
    ]);
    expect(recorded[0]).toMatchObject({
      username: 'alice',
      method: 'GET',
      path: '/api/system/session',
      query: { verbose: '1' },
      ip_address: '203.0.113.9',
      metadata: { requestId: ok.headers['x-request-id'], role: 'admin' },
    });
    expect(recorded[1]?.error_message).toBe('this route requires the admin role; the token has the viewer role');
    expect(recorded[2]?.username).toBeNull();
  });

  test('server errors keep their real reason in the trail while the client sees a masked body', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/audit/events',
      headers: { ...bearer(TEST_TOKENS.ingest), 'content-type': 'application/json' },
      payload: [{ action: 'x', resource: 'y', status: 'success', password: 'pw' }],
    });
    const recorded = await rows();
    const post = recorded.find((r) => r.method === 'POST');
    expect(post).toMatchObject({ action: 'create', status_code: 400, status: 'failure' });
    expect(post?.error_message).toContain('events[0].password');
  });
});

test('large bodies are recorded as their size only', () => {
  const event = toAuditEvent({
    method: 'POST',
    url: '/api/audit/events?x=1',
    route: '/api/audit/events',
    params: {},
    query: {},
    body: { blob: 'x'.repeat(MAX_CAPTURED_BODY_BYTES) },
    ip: '192.0.2.1',
    userAgent: undefined,
    user: 'token:ingest',
    role: 'ingest',
    requestId: 'r1',
    statusCode: 201,
    responseTimeMs: 1.23456,
    errorMessage: undefined,
  });
  expect(event).toMatchObject({ action: 'create', path: '/api/audit/events', status: 'success', responseTime: 1.235 });
  expect(event.body).toEqual({ truncated: true, bytes: MAX_CAPTURED_BODY_BYTES + 11 });
  expect(event.query).toBeUndefined();
});

test('audit.captureRequests off: requests are not recorded, posted events still are', async () => {
  const quiet = await createTestApp({ env: { AUDIT_CAPTURE_REQUESTS: 'false' } });
  try {
    await quiet.app.inject({ method: 'GET', url: '/api/system/session', headers: bearer(TEST_TOKENS.viewer) });
    const posted = await quiet.app.inject({
      method: 'POST',
      url: '/api/audit/events',
      headers: bearer(TEST_TOKENS.ingest),
      payload: [{ action: 'login', resource: 'session', status: 'success' }],
    });
    expect(posted.statusCode).toBe(201);
    await quiet.app.audit.flush();
    const stored = await quiet.db.query<{ action: string }>('SELECT action FROM audit_log ORDER BY seq');
    expect(stored.rows).toEqual([{ action: 'login' }]);
  } finally {
    await quiet.close();
  }
});
