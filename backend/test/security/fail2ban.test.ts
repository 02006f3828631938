import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createFail2banClient } from '../../src/fail2ban';
import type { TestApp } from '../helpers';
import {
  hasFail2banServer,
  removeDir,
  serverDir,
  SKIP_REASON,
  startFail2banServer,
  waitFor,
  writeServerConf,
  type TestServer,
} from '../fail2ban/server';
import { admin, ev, post, securityApp, viewer } from './support';

/** One jail, `cartae-secops`, that keeps bans until told otherwise (bantime -1), as the API expects. */
function writeJailConfig(dir: string): string {
  const configDir = path.join(dir, 'conf');
  mkdirSync(path.join(configDir, 'filter.d'), { recursive: true });
  mkdirSync(path.join(configDir, 'action.d'));
  writeFileSync(path.join(configDir, 'fail2ban.conf'), '[Definition]\n');
  writeServerConf(configDir, dir);
  writeFileSync(path.join(configDir, 'filter.d', 'none.conf'), '[Definition]\nfailregex = ^never matches <ADDR>$\n');
  writeFileSync(path.join(configDir, 'action.d', 'none.conf'), '[Definition]\nactionban = true\nactionunban = true\n');
  writeFileSync(path.join(dir, 'empty.log'), '');
  writeFileSync(
    path.join(configDir, 'jail.conf'),
    `[DEFAULT]\nbackend = polling\naction = none\n\n[cartae-secops]\nenabled = true\nfilter = none\n` +
      `logpath = ${path.join(dir, 'empty.log')}\nbantime = -1\n`
  );
  return configDir;
}

(hasFail2banServer ? describe : describe.skip)(
  `auto-blocker bans enforced in a real fail2ban-server${hasFail2banServer ? '' : ` (${SKIP_REASON})`}`,
  () => {
    let dir: string;
    let configDir: string;
    let server: TestServer | undefined;
    let t: TestApp;
    const banned = async () =>
      (
        await createFail2banClient({ socketPath: path.join(dir, 'fail2ban.sock'), configDir }).jailStatus(
          'cartae-secops'
        )
      ).bannedIps;

    beforeAll(async () => {
      dir = serverDir('f2b-security-');
      configDir = writeJailConfig(dir);
      server = await startFail2banServer(dir, configDir);
      t = await securityApp({
        security: {
          enforcement: { retryInitialMs: 10, retryMaxMs: 10, fail2ban: { enabled: true, jail: 'cartae-secops' } },
        },
        env: { FAIL2BAN_SOCKET: path.join(dir, 'fail2ban.sock') },
      });
    });
    afterAll(async () => {
      await t?.close();
      await server?.stop();
      if (dir) removeDir(dir);
    });

    test('a decision bans in the jail; lifting it unbans', async () => {
      const res = await post(t, [ev('192.0.2.61'), ev('192.0.2.61'), ev('192.0.2.61')]);
      expect(res.json().decisions).toHaveLength(1);
      await t.app.security.enforcer.settled();
      await waitFor('the ban in Fail2ban', async () => (await banned()).includes('192.0.2.61'));
      const bans = await t.app.inject({ method: 'GET', url: '/api/soar/bans', headers: viewer });
      expect(bans.json().bans[0].enforcement).toEqual([
        expect.objectContaining({ adapter: 'fail2ban', action: 'ban', state: 'done', attempts: 1, lastError: null }),
      ]);

      const lift = await t.app.inject({
        method: 'DELETE',
        url: '/api/security/ban/192.0.2.61?reason=test',
        headers: admin,
      });
      expect(lift.statusCode).toBe(200);
      await t.app.security.enforcer.settled();
      await t.app.security.maintain();
      await waitFor('the unban in Fail2ban', async () => !(await banned()).includes('192.0.2.61'));
    });

    test('while Fail2ban is down the decision waits with its error, and is enforced once it is back', async () => {
      await server?.stop();
      server = undefined;
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/security/ban',
        headers: admin,
        payload: { ip: '192.0.2.62', duration: 3600, reason: 'test' },
      });
      expect(res.statusCode).toBe(201);
      await t.app.security.enforcer.settled();
      await t.app.security.maintain();
      const waiting = await t.app.inject({ method: 'GET', url: '/api/soar/bans?ip=192.0.2.62', headers: viewer });
      expect(waiting.json().bans[0].enforcement).toEqual([
        expect.objectContaining({ state: 'pending', lastError: expect.stringMatching(/fail2ban|socket|server/i) }),
      ]);
      expect(waiting.json().bans[0].enforcement[0].attempts).toBeGreaterThanOrEqual(1);

      server = await startFail2banServer(dir, configDir);
      await waitFor('the retry', async () => {
        await t.app.security.maintain();
        return (await banned()).includes('192.0.2.62');
      });
      const done = await t.app.inject({ method: 'GET', url: '/api/soar/bans?ip=192.0.2.62', headers: viewer });
      expect(done.json().bans[0].enforcement).toEqual([expect.objectContaining({ state: 'done', lastError: null })]);
    });
  }
);
