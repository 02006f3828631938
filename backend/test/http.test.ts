import { bearer, captureLogger, createTestApp, TEST_TOKENS, type TestApp } from './helpers';

describe('HTTP behaviour', () => {
  let t: TestApp;
  const log = captureLogger();
  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_MS: '60000' }, logger: log.logger });
  });
  afterAll(async () => {
    await t.close();
  });

  test('unknown routes get a JSON 404 whatever the token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ message: 'no route GET /api/nope' });
  });

  test('every response carries a request id, and a sane incoming one is kept', async () => {
    const kept = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'bad id\n' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('/api routes are rate limited per client; probes and metrics are not', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await t.app.inject({
        method: 'GET',
        url: '/api/system/session',
        headers: bearer(TEST_TOKENS.viewer),
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(res.json().message).toMatch(/^rate limit exceeded \(5 requests per 1 minute\); retry in \d+ s$/);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);

    // Another client address has its own budget.
    const other = await t.app.inject({
      method: 'GET',
      url: '/api/system/session',
      headers: bearer(TEST_TOKENS.viewer),
      remoteAddress: '192.0.2.7',
    });
    expect(other.statusCode).toBe(200);

    for (let i = 0; i < 10; i++) {
      expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    }
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('http_requests_rate_limited_total{method="GET",route="/api/system/session"} 2');
  });

  test('server errors are masked for the client and logged in full', async () => {
    const broken = await createTestApp({ logger: log.logger });
    await broken.db.close(); // every query now fails
    const res = await broken.app.inject({
      method: 'GET',
      url: '/api/system/info',
      headers: bearer(TEST_TOKENS.viewer),
    });
    expect(res.statusCode).toBe(500);
    const body = res.json();
    expect(body).toEqual({ message: 'Internal Server Error', requestId: res.headers['x-request-id'] });
    expect(res.body).not.toMatch(/closed|stack|at /);
    const logged = log.lines().find((l) => l.msg === 'request failed' && l.reqId === body.requestId);
    expect(logged).toBeDefined();
    expect(JSON.stringify(logged?.err)).toContain('database is closed');
    await broken.app.close();
  });
});
