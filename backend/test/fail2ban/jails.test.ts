import { execFile } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createFail2banClient, type Fail2banClient } from '../../src/fail2ban';
import { fail2banAdapter } from '../../src/security/fail2ban-adapter';
import { shippedRules } from './pairs';
import { removeDir, serverDir, startFail2banServer, waitFor, type TestServer } from './server';
import { buildShippedConfig, canRunShipped, eventLine, SHIPPED_SKIP_REASON } from './shipped';

// The shipped configuration on a real fail2ban-server (shipped.ts), the API replaced by a local HTTP server
// that records what the action sends.
const TOKEN = 'c0ffee'.repeat(10);
const CARTAE_JAILS = [
  'cartae-api-admin',
  'cartae-api-auth',
  'cartae-brute-force',
  'cartae-http-ddos',
  'cartae-port-scan',
  'cartae-recidive',
  'cartae-secops',
];

interface Report {
  authorization?: string;
  contentType?: string;
  url?: string;
  fields: Record<string, string>;
}

function get(server: TestServer, jail: string, key: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('fail2ban-client', ['-s', server.socket, '-c', server.configDir, 'get', jail, key], (err, stdout) =>
      err ? reject(err) : resolve(stdout.trim())
    );
  });
}

(canRunShipped ? describe : describe.skip)(
  `Shipped jails, filters and action on a real Fail2ban${canRunShipped ? '' : ` (${SHIPPED_SKIP_REASON})`}`,
  () => {
    let dir: string;
    let api: Server;
    let server: TestServer;
    let client: Fail2banClient;
    const reports: Report[] = [];
    const log = (lines: string) => appendFileSync(path.join(dir, 'events.log'), lines);
    const reportsFor = (ip: string, event = 'ban') =>
      reports.filter((r) => r.fields.ip === ip && r.fields.action === event);
    const banned = (ip: string, jails: string[]) => () =>
      jails.every((jail) => reportsFor(ip).some((r) => r.fields.jail === jail));

    beforeAll(async () => {
      dir = serverDir('f2b-jails-');
      api = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          const fields = Object.fromEntries(new URLSearchParams(body));
          reports.push({
            authorization: req.headers.authorization,
            contentType: req.headers['content-type'],
            url: req.url,
            fields,
          });
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
      const configDir = buildShippedConfig(dir, `http://127.0.0.1:${(api.address() as AddressInfo).port}`, TOKEN);
      server = await startFail2banServer(dir, configDir);
      client = createFail2banClient({ socketPath: server.socket, configDir });
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      await new Promise((resolve) => api?.close(resolve));
      if (dir) removeDir(dir);
    });

    test("the six jails run with the auto-blocker rules' thresholds, and recidive with its escalation", async () => {
      expect((await client.status()).filter((j) => j.startsWith('cartae-')).sort()).toEqual(CARTAE_JAILS);
      const expected: Record<string, [string, string, string]> = { 'cartae-recidive': ['3', '604800', '-1'] };
      for (const rule of shippedRules()) {
        const bantime = rule.action === 'ban_perm' ? -1 : rule.duration;
        expected[`cartae-${rule.id}`] = [String(rule.threshold), String(rule.windowMs / 1000), String(bantime)];
      }
      expect(Object.keys(expected).sort()).toEqual(CARTAE_JAILS.filter((jail) => jail !== 'cartae-secops'));
      for (const [jail, values] of Object.entries(expected)) {
        const actual = await Promise.all(['maxretry', 'findtime', 'bantime'].map((key) => get(server, jail, key)));
        expect([jail, ...actual]).toEqual([jail, ...values]);
      }
      expect(await get(server, 'cartae-api-auth', 'bantime.increment')).toBe('True');
      expect(await get(server, 'cartae-api-auth', 'bantime.maxtime')).toBe('604800');
    });

    test('failed logins on the admin API: banned in three jails, then for good by cartae-recidive, each ban reported', async () => {
      const failure = { path: '/api/v1/admin/login', status: 401 };
      log(eventLine('10.1.2.3', 'auth.login.failed', failure).repeat(10)); // in cartae_ignoreip
      log(eventLine('203.0.113.9', 'auth.login.failed', failure).repeat(10));
      const jails = ['cartae-api-admin', 'cartae-api-auth', 'cartae-brute-force', 'cartae-recidive'];
      await waitFor('four bans of 203.0.113.9 reported', banned('203.0.113.9', jails), 30_000);

      for (const report of reportsFor('203.0.113.9')) {
        expect(report).toMatchObject({
          url: '/api/fail2ban/events',
          authorization: `Bearer ${TOKEN}`,
          contentType: 'application/x-www-form-urlencoded',
        });
        expect(Object.keys(report.fields).sort()).toEqual(
          ['action', 'bancount', 'bantime', 'failures', 'ip', 'jail', 'restored', 'time'].sort()
        );
        expect(Math.abs(Number(report.fields.time) - Date.now() / 1000)).toBeLessThan(120);
      }
      const recidive = reportsFor('203.0.113.9').find((r) => r.fields.jail === 'cartae-recidive');
      expect(recidive?.fields).toMatchObject({ bantime: '-1', failures: '3' });
      expect((await client.jailStatus('cartae-recidive')).bannedIps).toContain('203.0.113.9');
      expect(readFileSync(path.join(dir, 'firewall.log'), 'utf8')).toContain('+cartae-recidive 203.0.113.9');
      expect(reports.filter((r) => r.fields.ip === '10.1.2.3')).toEqual([]);
    }, 60_000);

    test('cartae-secops, the jail the API bans in: reads nothing, keeps a ban until the API lifts it, reports nothing', async () => {
      expect(await get(server, 'cartae-secops', 'bantime')).toBe('-1');
      expect(await get(server, 'cartae-secops', 'logpath')).toMatch(/No file is currently monitored/);
      const adapter = fail2banAdapter(client, 'cartae-secops');
      await adapter.ban('192.0.2.200');
      expect((await client.jailStatus('cartae-secops')).bannedIps).toEqual(['192.0.2.200']);
      await waitFor('the firewall ban', () =>
        readFileSync(path.join(dir, 'firewall.log'), 'utf8').includes('+cartae-secops 192.0.2.200')
      );
      await adapter.unban('192.0.2.200');
      expect((await client.jailStatus('cartae-secops')).bannedIps).toEqual([]);
      await waitFor('the firewall unban', () =>
        readFileSync(path.join(dir, 'firewall.log'), 'utf8').includes('-cartae-secops 192.0.2.200')
      );
      expect(reports.filter((r) => r.fields.ip === '192.0.2.200')).toEqual([]);
    });

    test("a repeat offender's next ban, in another jail, lasts twice as long (bantime.increment)", async () => {
      log(eventLine('198.51.100.40', 'http.request', { path: '/api/v1/admin/users/1', status: 403 }).repeat(3));
      await waitFor('the first ban', banned('198.51.100.40', ['cartae-api-admin']));
      expect(reportsFor('198.51.100.40')[0]?.fields).toMatchObject({ bantime: '86400', bancount: '1' });

      log(eventLine('198.51.100.40', 'auth.login.failed', { path: '/api/v1/auth/login' }).repeat(5));
      await waitFor('the second ban', banned('198.51.100.40', ['cartae-api-auth']));
      // Fail2ban doubles the ban time in its observer thread, which may run after the ban's actions: the ban
      // report then holds the base hour, and the prolong report (actionprolong, within 10 s) the doubled one.
      const prolonged = () => reportsFor('198.51.100.40', 'prolong').find((r) => r.fields.jail === 'cartae-api-auth');
      await waitFor('the prolonged ban', () => prolonged() !== undefined, 30_000);
      expect(prolonged()?.fields).toMatchObject({ bantime: '7200', bancount: '2' }); // 1 h doubled
      const second = reportsFor('198.51.100.40').find((r) => r.fields.jail === 'cartae-api-auth');
      expect(['3600', '7200']).toContain(second?.fields.bantime);
      expect(second?.fields.time).toBe(prolonged()?.fields.time); // the same ban
    }, 60_000);

    test('300 requests in a minute ban for 10 minutes, 299 do not; an unban is reported with the ban time', async () => {
      log(eventLine('198.51.100.51', 'http.request', { path: '/api/audit/events', status: 200 }).repeat(299));
      log(eventLine('198.51.100.50', 'http.request', { path: '/api/audit/events', status: 200 }).repeat(300));
      await waitFor('the flood ban', banned('198.51.100.50', ['cartae-http-ddos']));
      const ban = reportsFor('198.51.100.50')[0];
      expect(ban?.fields).toMatchObject({ jail: 'cartae-http-ddos', bantime: '600', failures: '300' });
      expect(reports.filter((r) => r.fields.ip === '198.51.100.51')).toEqual([]);

      await client.unban('cartae-http-ddos', '198.51.100.50');
      await waitFor('the unban report', () => reportsFor('198.51.100.50', 'unban').length === 1);
      expect(reportsFor('198.51.100.50', 'unban')[0]?.fields).toEqual({
        jail: 'cartae-http-ddos',
        ip: '198.51.100.50',
        action: 'unban',
        time: ban?.fields.time,
      });
    }, 60_000);

    test('one scan event, or one probe of a closed port in the kernel log, bans for good', async () => {
      log(eventLine('192.0.2.76', 'network.scan.detected'));
      await waitFor('the port-scan ban from the event log', banned('192.0.2.76', ['cartae-port-scan']));
      const stamp = new Date().toISOString().replace('Z', '+00:00');
      const packet =
        'IN=eth0 OUT= SRC=192.0.2.77 DST=192.0.2.10 LEN=44 TOS=0x00 PREC=0x00 TTL=41 ID=1 PROTO=TCP SPT=40000 DPT=23 WINDOW=1024 RES=0x00 SYN URGP=0 ';
      appendFileSync(path.join(dir, 'kern.log'), `${stamp} web1 kernel: cartae-port-scan: ${packet}\n`);
      await waitFor('the port-scan ban', banned('192.0.2.77', ['cartae-port-scan']));
      expect(reportsFor('192.0.2.77')[0]?.fields).toMatchObject({ bantime: '-1', failures: '1' });
    }, 60_000);

    test('stopping Fail2ban lifts the firewall bans but reports no unban (they come back at start)', async () => {
      const unbansBefore = reports.filter((r) => r.fields.action === 'unban').length;
      await server.stop();
      expect(readFileSync(path.join(dir, 'firewall.log'), 'utf8')).toContain('-cartae-recidive 203.0.113.9');
      expect(reports.filter((r) => r.fields.action === 'unban')).toHaveLength(unbansBefore);
    }, 60_000);
  }
);
