import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { Fail2banErrorCode, UnknownJailError } from '../../src/fail2ban';
import { recorded, rejection, useClientServer } from './client-setup';
import { hasFail2banServer, SKIP_REASON, waitFor } from './server';

(hasFail2banServer ? describe : describe.skip)(
  `Fail2ban client against a real fail2ban-server${hasFail2banServer ? '' : ` (${SKIP_REASON})`}`,
  () => {
    const t = useClientServer();

    test('ping answers and status lists the jails, including names with "." and "-"', async () => {
      await expect(t.client.ping()).resolves.toBeUndefined();
      expect((await t.client.status()).sort()).toEqual(['api.v2-test', 'web']);
    });

    test('jailStatus parses counters, the file list and an empty ban list', async () => {
      expect(await t.client.jailStatus('api.v2-test')).toEqual({
        jail: 'api.v2-test',
        currentlyFailed: 0,
        totalFailed: 0,
        fileList: [path.join(t.dir, 'api.log')],
        currentlyBanned: 0,
        totalBanned: 0,
        bannedIps: [],
      });
    });

    test('failures read from the log show up as currently and total failed', async () => {
      const now = Math.floor(Date.now() / 1000);
      const lines = ['192.0.2.7', '192.0.2.7', '2001:db8::7'].map((ip) => `${now} login failed from ${ip}\n`);
      appendFileSync(path.join(t.dir, 'web.log'), lines.join(''));
      await waitFor('3 failures in jail web', async () => (await t.client.jailStatus('web')).totalFailed === 3);
      expect(await t.client.jailStatus('web')).toMatchObject({
        currentlyFailed: 2,
        totalFailed: 3,
        currentlyBanned: 0,
      });
    });

    test('ban runs the jail action, reports whether it changed anything and normalizes addresses', async () => {
      expect(await t.client.ban('web', '192.0.2.10')).toEqual({ jail: 'web', ip: '192.0.2.10', changed: true });
      expect(await t.client.ban('web', '192.0.2.10')).toEqual({ jail: 'web', ip: '192.0.2.10', changed: false });
      expect(await t.client.ban('web', '2001:DB8:0:0::10')).toMatchObject({ ip: '2001:db8::10', changed: true });
      expect(await t.client.ban('web', '::ffff:198.51.100.10')).toMatchObject({ ip: '198.51.100.10', changed: true });

      const status = await t.client.jailStatus('web');
      expect(status).toMatchObject({ currentlyBanned: 3, totalBanned: 3 });
      expect([...status.bannedIps].sort()).toEqual(['192.0.2.10', '198.51.100.10', '2001:db8::10']);
      await waitFor('the ban action to run', () => recorded(t.dir).includes('+198.51.100.10'));
      expect(recorded(t.dir)).toEqual(expect.arrayContaining(['+192.0.2.10', '+2001:db8::10', '+198.51.100.10']));
    });

    test('unban lifts a ban once; the second time nothing changes', async () => {
      expect(await t.client.unban('web', '2001:db8:0::10')).toEqual({ jail: 'web', ip: '2001:db8::10', changed: true });
      expect(await t.client.unban('web', '2001:db8::10')).toMatchObject({ changed: false });
      expect(await t.client.unban('api.v2-test', '203.0.113.1')).toMatchObject({ changed: false });
      const status = await t.client.jailStatus('web');
      expect(status.bannedIps).not.toContain('2001:db8::10');
      expect(status).toMatchObject({ currentlyBanned: 2, totalBanned: 3 });
      await waitFor('the unban action to run', () => recorded(t.dir).includes('-2001:db8::10'));
    });

    test('statusAll gives every jail with its counters and bans', async () => {
      const all = await t.client.statusAll();
      expect(all.map((s) => s.jail).sort()).toEqual(['api.v2-test', 'web']);
      expect(all.find((s) => s.jail === 'web')).toMatchObject({ currentlyBanned: 2, totalFailed: 3 });
      expect(all.find((s) => s.jail === 'api.v2-test')).toMatchObject({ currentlyBanned: 0, bannedIps: [] });
    });

    test('a jail the server does not have is UnknownJailError (404), for every command', async () => {
      const calls = [
        () => t.client.jailStatus('nope'),
        () => t.client.ban('nope', '192.0.2.1'),
        () => t.client.unban('nope', '192.0.2.1'),
      ];
      for (const call of calls) {
        const err = await rejection(call(), UnknownJailError, Fail2banErrorCode.unknownJail);
        expect(err).toMatchObject({ jail: 'nope', statusCode: 404, message: 'Fail2ban has no jail named nope' });
      }
    });
  }
);
