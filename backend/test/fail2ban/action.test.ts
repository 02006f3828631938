import { appendFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { bearer, createTestApp, TEST_TOKENS, testDatabases, type TestApp } from '../helpers';
import { removeDir, serverDir, startFail2banServer, waitFor, type TestServer } from './server';
import { buildShippedConfig, canRunShipped, eventLine, SHIPPED_SKIP_REASON } from './shipped';

interface EventRow {
  jail: string;
  ip: string;
  action: string;
  restored: boolean;
  bantime: number | null;
  reportedBy: string;
}

// End to end: a real fail2ban-server running the shipped jails and action reports its bans to the real API
// (listening on a port), which is also the one telling Fail2ban to ban and unban.
(canRunShipped ? describe.each(testDatabases) : describe.skip.each(testDatabases))(
  `The shipped action reports to the API ($name)${canRunShipped ? '' : ` (${SHIPPED_SKIP_REASON})`}`,
  ({ open }) => {
    let t: TestApp;
    let dir: string;
    let configDir: string;
    let server: TestServer;

    const events = async (ip: string) => {
      const res = await t.app.inject({ url: `/api/fail2ban/events?ip=${ip}`, headers: bearer(TEST_TOKENS.viewer) });
      expect(res.statusCode).toBe(200);
      return (res.json() as { events: EventRow[] }).events;
    };
    const audited = async (ip: string) => {
      const res = await t.app.inject({
        url: '/api/audit/events?resource=fail2ban&limit=500',
        headers: bearer(TEST_TOKENS.viewer),
      });
      const entries = (res.json() as { events: { action: string; resourceId: string; metadata: unknown }[] }).events;
      return entries.filter((e) => e.resourceId.endsWith(`/${ip}`)).map((e) => [e.action, e.metadata]);
    };
    /** Answers the API gave to reports: 201 recorded, 200 already recorded. */
    const answers = async (status: number) => {
      const text = await t.app.metrics.registry.getSingleMetricAsString('http_requests_total');
      const report = `{method="POST",route="/api/fail2ban/events",status="${status}"}`;
      const line = text.split('\n').find((l) => l.startsWith(`http_requests_total${report}`));
      return Number(line?.split(' ').pop() ?? 0);
    };

    beforeAll(async () => {
      dir = serverDir('f2b-action-');
      const socket = path.join(dir, 'fail2ban.sock');
      t = await createTestApp({ db: await open(), env: { FAIL2BAN_SOCKET: socket } });
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = t.app.server.address() as AddressInfo;
      configDir = buildShippedConfig(dir, `http://127.0.0.1:${port}`, TEST_TOKENS.ingest as string);
      server = await startFail2banServer(dir, configDir);
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      await t?.close();
      if (dir) removeDir(dir);
    });

    test('five failed logins: one ban recorded, once, and audited once', async () => {
      appendFileSync(path.join(dir, 'events.log'), eventLine('203.0.113.50', 'auth.login.failed').repeat(5));
      await waitFor('the reported ban', async () => (await events('203.0.113.50')).length > 0, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 1000)); // time for a duplicate to show up
      expect(await events('203.0.113.50')).toEqual([
        expect.objectContaining({
          jail: 'cartae-api-auth',
          action: 'ban',
          bantime: 3600,
          restored: false,
          reportedBy: 'token:ingest',
        }),
      ]);
      expect(await audited('203.0.113.50')).toEqual([
        ['fail2ban.ban', expect.objectContaining({ source: 'fail2ban', jail: 'cartae-api-auth', failures: 5 })],
      ]);
    }, 60_000);

    test('a ban and an unban through the API reach Fail2ban and come back as one report each', async () => {
      const ban = await t.app.inject({
        method: 'POST',
        url: '/api/fail2ban/jails/cartae-brute-force/ban',
        headers: bearer(TEST_TOKENS.admin),
        payload: { ip: '198.51.100.77', reason: 'credential stuffing from this host' },
      });
      expect(ban.json()).toEqual({ jail: 'cartae-brute-force', ip: '198.51.100.77', changed: true });
      await waitFor('the reported ban', async () => (await events('198.51.100.77')).length === 1, 30_000);

      const unban = await t.app.inject({
        method: 'DELETE',
        url: '/api/fail2ban/jails/cartae-brute-force/ban/198.51.100.77?reason=false%20positive',
        headers: bearer(TEST_TOKENS.admin),
      });
      expect(unban.json()).toMatchObject({ changed: true });
      await waitFor('the reported unban', async () => (await events('198.51.100.77')).length === 2, 30_000);
      expect((await events('198.51.100.77')).map((e) => e.action)).toEqual(['unban', 'ban']);
      // Each action once as the admin's (source api, with the reason) and once as Fail2ban's report.
      const entries = (await audited('198.51.100.77')).map(([action, metadata]) => {
        const { source, reason } = metadata as { source: string; reason?: string };
        return [action, source, reason ?? null];
      });
      expect(entries.sort()).toEqual([
        ['fail2ban.ban', 'api', 'credential stuffing from this host'],
        ['fail2ban.ban', 'fail2ban', null],
        ['fail2ban.unban', 'api', 'false positive'],
        ['fail2ban.unban', 'fail2ban', null],
      ]);
    }, 60_000);

    test('a restart restores the bans and reports them again: the API keeps one record of each', async () => {
      // A ban by hand has a time with a fraction; Fail2ban's database keeps it rounded to the second.
      await t.app.inject({
        method: 'POST',
        url: '/api/fail2ban/jails/cartae-api-admin/ban',
        headers: bearer(TEST_TOKENS.admin),
        payload: { ip: '198.51.100.78', reason: 'kept across the restart' },
      });
      await waitFor('the reported ban', async () => (await events('198.51.100.78')).length === 1, 30_000);
      const duplicatesBefore = await answers(200);
      await server.stop();
      server = await startFail2banServer(dir, configDir);
      // Both bans are restored and reported again, with restored=1 and their time rounded to the second.
      await waitFor('both restored bans reported', async () => (await answers(200)) >= duplicatesBefore + 2, 30_000);
      const status = await t.app.inject({ url: '/api/fail2ban/status', headers: bearer(TEST_TOKENS.viewer) });
      const jails = (status.json() as { jails: { jail: string; bannedIps: string[] }[] }).jails;
      expect(jails.find((j) => j.jail === 'cartae-api-auth')?.bannedIps).toEqual(['203.0.113.50']);
      expect(jails.find((j) => j.jail === 'cartae-api-admin')?.bannedIps).toEqual(['198.51.100.78']);
      expect(await events('203.0.113.50')).toHaveLength(1);
      expect(await audited('203.0.113.50')).toHaveLength(1);
      expect(await events('198.51.100.78')).toEqual([expect.objectContaining({ action: 'ban', restored: false })]);
    }, 60_000);
  }
);
