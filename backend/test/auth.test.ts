import { statSync } from 'node:fs';
import { Access, roleAllows, ROLES } from '../src/auth/roles';
import { resolveTokens, TokenMatcher, tokenFile } from '../src/auth/tokens';
import { bearer, createTestApp, tempDir, TEST_TOKENS, type TestApp } from './helpers';

describe('bearer tokens and roles over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  // route → status for [no token, wrong token, viewer, admin, ingest]
  const matrix: [string, number[]][] = [
    ['/api/system/session', [401, 401, 200, 200, 403]],
    ['/api/system/info', [401, 401, 200, 200, 403]],
    ['/api/system/instances', [401, 401, 200, 200, 403]],
    ['/api/system/config', [401, 401, 403, 200, 403]],
    ['/health', [200, 200, 200, 200, 200]],
    ['/ready', [200, 200, 200, 200, 200]],
    ['/metrics', [200, 200, 200, 200, 200]],
  ];
  const callers: [string, Record<string, string>][] = [
    ['no token', {}],
    ['wrong token', bearer('w'.repeat(40))],
    ['viewer', bearer(TEST_TOKENS.viewer)],
    ['admin', bearer(TEST_TOKENS.admin)],
    ['ingest', bearer(TEST_TOKENS.ingest)],
  ];

  test.each(matrix)('GET %s answers each caller with the right status', async (url, expected) => {
    const statuses: number[] = [];
    for (const [, headers] of callers) {
      statuses.push((await t.app.inject({ method: 'GET', url, headers })).statusCode);
    }
    expect(statuses).toEqual(expected);
  });

  test('401 and 403 carry a JSON message; 401 says how to authenticate', async () => {
    const missing = await t.app.inject({ method: 'GET', url: '/api/system/info' });
    expect(missing.headers['content-type']).toMatch(/application\/json/);
    expect(missing.json()).toEqual({ message: expect.stringContaining('missing bearer token') });
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);

    const wrong = await t.app.inject({
      method: 'GET',
      url: '/api/system/info',
      headers: { authorization: 'Basic abc' },
    });
    expect(wrong.statusCode).toBe(401);

    const forbidden = await t.app.inject({
      method: 'GET',
      url: '/api/system/config',
      headers: bearer(TEST_TOKENS.viewer),
    });
    expect(forbidden.json()).toEqual({ message: 'this route requires the admin role; the token has the viewer role' });
  });

  test('the session names the role, and the Grafana user when the proxy forwards one', async () => {
    const plain = await t.app.inject({
      method: 'GET',
      url: '/api/system/session',
      headers: bearer(TEST_TOKENS.viewer),
    });
    expect(plain.json()).toEqual({ role: 'viewer', user: 'token:viewer' });

    const viaGrafana = await t.app.inject({
      method: 'GET',
      url: '/api/system/session',
      headers: {
        ...bearer(TEST_TOKENS.admin),
        'x-grafana-context': JSON.stringify({ Login: 'alice', OrgRole: 'Admin' }),
      },
    });
    expect(viaGrafana.json()).toEqual({ role: 'admin', user: 'alice' });

    const header = await t.app.inject({
      method: 'GET',
      url: '/api/system/session',
      headers: { ...bearer(TEST_TOKENS.admin), 'x-grafana-user': 'bob\u0007\n' },
    });
    expect(header.json()).toEqual({ role: 'admin', user: 'bob' });
  });

  test('the effective configuration never reveals a secret', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/system/config', headers: bearer(TEST_TOKENS.admin) });
    expect(res.statusCode).toBe(200);
    for (const token of Object.values(TEST_TOKENS)) expect(res.body).not.toContain(token);
    expect(res.json().tokens).toEqual({
      viewer: 'generated file',
      admin: 'generated file',
      ingest: 'generated file',
      metrics: 'not set',
    });
  });
});

describe('role rules', () => {
  test('admin may do everything, viewer only reads, ingest only submits events', () => {
    const allowed = ROLES.map((role) => [role, Object.values(Access).filter((a) => roleAllows(role, a))]);
    expect(allowed).toEqual([
      ['viewer', ['public', 'metrics', 'viewer']],
      ['admin', ['public', 'metrics', 'viewer', 'ingest', 'admin']],
      ['ingest', ['public', 'ingest']],
    ]);
  });

  test('the matcher finds the role of each token and nothing for others', () => {
    const matcher = new TokenMatcher(TEST_TOKENS);
    expect(matcher.match(TEST_TOKENS.viewer)).toBe('viewer');
    expect(matcher.match(TEST_TOKENS.admin)).toBe('admin');
    expect(matcher.match(TEST_TOKENS.ingest)).toBe('ingest');
    expect(matcher.match(`${TEST_TOKENS.admin}x`)).toBeUndefined();
    expect(matcher.match('')).toBeUndefined();
  });
});

describe('token files', () => {
  test('missing tokens are generated once into 0600 files and reused afterwards', () => {
    const dataDir = tempDir();
    const first = resolveTokens({ admin: 'e'.repeat(40) }, dataDir);
    expect(first.tokens.admin).toBe('e'.repeat(40));
    expect(first.stored.map((s) => [s.role, s.created])).toEqual([
      ['viewer', true],
      ['ingest', true],
    ]);
    for (const role of ['viewer', 'ingest'] as const) {
      expect(first.tokens[role]).toMatch(/^[0-9a-f]{64}$/);
      expect(statSync(tokenFile(dataDir, role)).mode & 0o777).toBe(0o600);
    }
    expect(first.tokens.viewer).not.toBe(first.tokens.ingest);

    const second = resolveTokens({ admin: 'e'.repeat(40) }, dataDir);
    expect(second.tokens).toEqual(first.tokens);
    expect(second.stored.every((s) => !s.created)).toBe(true);
  });
});
