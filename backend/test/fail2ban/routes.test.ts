import { bearer, createTestApp, TEST_TOKENS, testDatabases, type TestApp } from '../helpers';
import { recorded, useClientServer } from './client-setup';
import { hasFail2banServer, SKIP_REASON, waitFor } from './server';

const admin = { ...bearer(TEST_TOKENS.admin), 'x-grafana-user': 'alice' };

interface JailView {
  jail: string;
  currentlyBanned: number;
  totalBanned: number;
  bannedIps: string[];
}

/** The fail2ban.* entries of the audit trail (the explicit ones, not the HTTP hook's), newest first. */
async function fail2banAudit(t: TestApp) {
  const res = await t.app.inject({ url: '/api/audit/events?resource=fail2ban', headers: bearer(TEST_TOKENS.viewer) });
  return (res.json() as { events: { action: string; username: string; resourceId: string; metadata: unknown }[] })
    .events;
}

(hasFail2banServer ? describe : describe.skip)(
  `Fail2ban control API on a real fail2ban-server${hasFail2banServer ? '' : ` (${SKIP_REASON})`}`,
  () => {
    const f2b = useClientServer();

    describe.each(testDatabases.map((db, i) => ({ ...db, ip: `192.0.2.${100 + i}` })))('on $name', ({ open, ip }) => {
      let t: TestApp;
      beforeAll(async () => {
        t = await createTestApp({ db: await open(), env: { FAIL2BAN_SOCKET: f2b.server.socket } });
      }, 60_000);
      afterAll(async () => {
        await t?.close();
      });
      const status = async () => {
        const res = await t.app.inject({ url: '/api/fail2ban/status', headers: bearer(TEST_TOKENS.viewer) });
        expect(res.statusCode).toBe(200);
        return (res.json() as { jails: JailView[] }).jails;
      };
      const ban = (jail: string, body: Record<string, unknown>, headers: Record<string, string> = admin) =>
        t.app.inject({ method: 'POST', url: `/api/fail2ban/jails/${jail}/ban`, headers, payload: body });

      test('status lists every jail with its counters (viewer)', async () => {
        const jails = await status();
        expect(jails.map((j) => j.jail).sort()).toEqual(['api.v2-test', 'web']);
        expect(jails.find((j) => j.jail === 'api.v2-test')).toMatchObject({ currentlyFailed: 0, totalFailed: 0 });
      });

      test('an admin bans: Fail2ban runs the jail action, status shows the address, the trail says who and why', async () => {
        const res = await ban('web', { ip, reason: 'password spraying' });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({ jail: 'web', ip, changed: true });
        expect((await ban('web', { ip, reason: 'again' })).json()).toEqual({ jail: 'web', ip, changed: false });
        await waitFor('the jail action', () => recorded(f2b.dir).includes(`+${ip}`));
        expect((await status()).find((j) => j.jail === 'web')?.bannedIps).toContain(ip);
        expect((await fail2banAudit(t))[1]).toMatchObject({
          action: 'fail2ban.ban',
          username: 'alice',
          resourceId: `web/${ip}`,
          metadata: { source: 'api', jail: 'web', bannedIp: ip, reason: 'password spraying', changed: true },
        });
      });

      test('an admin unbans with the reason in the query or the body; without one nothing happens', async () => {
        const url = `/api/fail2ban/jails/web/ban/${ip}`;
        const missing = await t.app.inject({ method: 'DELETE', url, headers: admin });
        expect(missing.statusCode).toBe(400);
        expect(missing.json().message).toMatch(/reason is required/);
        expect((await status()).find((j) => j.jail === 'web')?.bannedIps).toContain(ip);

        const first = await t.app.inject({ method: 'DELETE', url: `${url}?reason=false%20positive`, headers: admin });
        expect(first.json()).toEqual({ jail: 'web', ip, changed: true });
        const again = await t.app.inject({ method: 'DELETE', url, headers: admin, payload: { reason: 'sure' } });
        expect(again.json()).toEqual({ jail: 'web', ip, changed: false });
        await waitFor('the unban action', () => recorded(f2b.dir).includes(`-${ip}`));
        expect((await fail2banAudit(t))[1]).toMatchObject({
          action: 'fail2ban.unban',
          metadata: { reason: 'false positive', changed: true },
        });
      });

      test('viewer and ingest tokens cannot ban or unban', async () => {
        for (const token of [TEST_TOKENS.viewer, TEST_TOKENS.ingest] as string[]) {
          expect((await ban('web', { ip: '192.0.2.99', reason: 'x' }, bearer(token))).statusCode).toBe(403);
          const url = '/api/fail2ban/jails/web/ban/192.0.2.99?reason=x';
          expect((await t.app.inject({ method: 'DELETE', url, headers: bearer(token) })).statusCode).toBe(403);
        }
        expect((await ban('web', { ip: '192.0.2.99', reason: 'x' }, {})).statusCode).toBe(401);
        expect(recorded(f2b.dir)).not.toContain('+192.0.2.99');
      });

      test('bad input gets a 400 naming it, an unknown jail a 404; addresses are normalized', async () => {
        const bad = await ban('web', { ip: '192.0.2.300', reason: 'x' });
        expect([bad.statusCode, bad.json().message]).toEqual([400, 'not an IP address: "192.0.2.300"']);
        expect((await ban('-web', { ip, reason: 'x' })).statusCode).toBe(400);
        expect((await ban('web', { ip })).statusCode).toBe(400); // no reason
        expect((await ban('web', { ip, reason: 'x', extra: 1 })).statusCode).toBe(400);
        const unknown = await ban('nope', { ip, reason: 'x' });
        expect([unknown.statusCode, unknown.json().message]).toEqual([404, 'Fail2ban has no jail named nope']);
        const v6 = await ban('api.v2-test', { ip: '2001:DB8:0:0::77', reason: 'x' });
        expect(v6.json()).toMatchObject({ ip: '2001:db8::77', changed: true });
        const url = '/api/fail2ban/jails/api.v2-test/ban/2001:db8::77?reason=x';
        expect((await t.app.inject({ method: 'DELETE', url, headers: admin })).json()).toMatchObject({ changed: true });
      });

      test('metrics: fail2ban_up, the jail count and bans per jail', async () => {
        await ban('api.v2-test', { ip, reason: 'for the gauge' }); // the first scrape of this app: nothing cached
        const text = (await t.app.inject({ url: '/metrics' })).body;
        expect(text).toMatch(/^fail2ban_up 1$/m);
        expect(text).toMatch(/^fail2ban_jails_total 2$/m);
        expect(text).toMatch(/^fail2ban_active_bans\{jail="api.v2-test"\} 1$/m);
        expect(text).toMatch(/^fail2ban_active_bans\{jail="web"\} \d+$/m);
        expect(text).toMatch(/^fail2ban_banned_ips_total\{jail="api.v2-test"\} [1-9]\d*$/m);
        const url = `/api/fail2ban/jails/api.v2-test/ban/${ip}?reason=done`;
        await t.app.inject({ method: 'DELETE', url, headers: admin });
      });
    });
  }
);
