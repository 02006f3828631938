import { bearer, captureLogger, createTestApp, TEST_TOKENS } from './helpers';

test('one JSON line per request with ip, method, path, status, responseTime and user; no secret ever logged', async () => {
  const log = captureLogger();
  const t = await createTestApp({ logger: log.logger });
  try {
    await t.app.inject({
      method: 'GET',
      url: '/api/system/session?token=querysecret',
      headers: { ...bearer(TEST_TOKENS.admin), cookie: 'grafana_session=cookiesecret', 'x-grafana-user': 'alice' },
      remoteAddress: '198.51.100.4',
    });
    await t.app.inject({
      method: 'GET',
      url: '/api/system/info',
      headers: bearer('wrong-token-value-0123456789abcdef'),
    });

    const requests = log.lines().filter((l) => l.msg === 'request completed');
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({
      level: 'info',
      ip: '198.51.100.4',
      method: 'GET',
      path: '/api/system/session',
      route: '/api/system/session',
      status: 200,
      user: 'alice',
      role: 'admin',
    });
    expect(requests[0]?.responseTime).toEqual(expect.any(Number));
    expect(typeof requests[0]?.time).toBe('string');
    expect(requests[1]).toMatchObject({ path: '/api/system/info', status: 401 });
    expect(requests[1]?.user).toBeUndefined();

    const raw = log.raw();
    for (const secret of [TEST_TOKENS.admin, 'querysecret', 'cookiesecret', 'wrong-token-value-0123456789abcdef']) {
      expect(raw).not.toContain(secret);
    }
  } finally {
    await t.close();
  }
});

test('objects logged with credentials have them redacted', () => {
  const log = captureLogger();
  log.logger.info(
    {
      req: { headers: { authorization: 'Bearer abc' } },
      config: { auth: { adminToken: 'x' } },
      user: { password: 'pw' },
    },
    'x'
  );
  const line = log.lines()[0] as Record<string, unknown>;
  expect(JSON.stringify(line)).not.toMatch(/Bearer abc|"pw"|adminToken":"x/);
  expect(JSON.stringify(line)).toContain('***REDACTED***');
});
