import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bearer, createTestApp, TEST_TOKENS, tempDir, type TestApp } from '../helpers';
import { hasFail2banServer } from './server';

/** The three control routes, as an admin would call them. */
async function controlAnswers(t: TestApp): Promise<[number, string][]> {
  const admin = bearer(TEST_TOKENS.admin);
  const answers = await Promise.all([
    t.app.inject({ url: '/api/fail2ban/status', headers: admin }),
    t.app.inject({
      method: 'POST',
      url: '/api/fail2ban/jails/web/ban',
      headers: admin,
      payload: { ip: '192.0.2.1', reason: 'x' },
    }),
    t.app.inject({ method: 'DELETE', url: '/api/fail2ban/jails/web/ban/192.0.2.1?reason=x', headers: admin }),
  ]);
  return answers.map((res) => [res.statusCode, (res.json() as { message: string }).message]);
}

/** Each test builds its own app, which takes a while on a busy machine. */
const APP_TEST_TIMEOUT_MS = 60_000;

const scrape = async (t: TestApp) => (await t.app.inject({ url: '/metrics' })).body;

async function withApp(env: Record<string, string>, fn: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await createTestApp({ env });
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

describe('when Fail2ban cannot be used, the routes answer 503 saying why, and fail2ban_up is 0', () => {
  (hasFail2banServer ? test : test.skip)(
    'no server on the socket',
    async () => {
      const socket = path.join(tempDir('f2b-none-'), 'fail2ban.sock');
      await withApp({ FAIL2BAN_SOCKET: socket }, async (t) => {
        const message = `Fail2ban is not reachable at ${socket} (is fail2ban-server running?)`;
        expect(await controlAnswers(t)).toEqual([
          [503, message],
          [503, message],
          [503, message],
        ]);
        const metrics = await scrape(t);
        expect(metrics).toMatch(/^fail2ban_up 0$/m);
        expect(metrics).not.toMatch(/^fail2ban_active_bans\{/m);
      });
    },
    APP_TEST_TIMEOUT_MS
  );

  test(
    'fail2ban-client is not installed',
    async () => {
      await withApp({ FAIL2BAN_CLIENT: '/nonexistent/fail2ban-client' }, async (t) => {
        const [status] = await controlAnswers(t);
        expect(status).toEqual([503, 'fail2ban-client is not installed (cannot run /nonexistent/fail2ban-client)']);
        expect(await scrape(t)).toMatch(/^fail2ban_up 0$/m);
      });
    },
    APP_TEST_TIMEOUT_MS
  );

  test(
    'fail2ban-client hangs: the route gives up after the timeout, the scrape after its deadline',
    async () => {
      const hung = path.join(tempDir('f2b-hung-'), 'fail2ban-client');
      writeFileSync(hung, '#!/bin/sh\nexec sleep 30\n');
      chmodSync(hung, 0o755);
      await withApp({ FAIL2BAN_CLIENT: hung, FAIL2BAN_TIMEOUT_MS: '500' }, async (t) => {
        const [status] = await controlAnswers(t);
        expect(status?.[0]).toBe(503);
        expect(status?.[1]).toMatch(/^Fail2ban did not answer within 500 ms/);
        const started = Date.now();
        expect(await scrape(t)).toMatch(/^fail2ban_up 0$/m);
        expect(Date.now() - started).toBeLessThan(2000);
      });
    },
    APP_TEST_TIMEOUT_MS
  );

  test(
    'disabled in the configuration: no Fail2ban command runs and no fail2ban metric is exported',
    async () => {
      await withApp({ FAIL2BAN_ENABLED: 'false', FAIL2BAN_CLIENT: '/nonexistent/fail2ban-client' }, async (t) => {
        const [status] = await controlAnswers(t);
        expect(status?.[0]).toBe(503);
        expect(status?.[1]).toMatch(/^Fail2ban control is disabled on this API/);
        expect(await scrape(t)).not.toMatch(/^fail2ban_/m);
        // Reports from Fail2ban hosts are still accepted.
        const report = await t.app.inject({
          method: 'POST',
          url: '/api/fail2ban/events',
          headers: { ...bearer(TEST_TOKENS.ingest), 'content-type': 'application/x-www-form-urlencoded' },
          payload: 'jail=sshd&ip=192.0.2.5&action=ban&time=1700000000',
        });
        expect(report.statusCode).toBe(201);
      });
    },
    APP_TEST_TIMEOUT_MS
  );
});
