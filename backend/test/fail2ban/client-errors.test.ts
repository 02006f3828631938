import { chmodSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import {
  createFail2banClient,
  Fail2banErrorCode,
  Fail2banUnavailableError,
  InvalidFail2banArgumentError,
} from '../../src/fail2ban';
import { rejection, useClientServer } from './client-setup';
import { findExecutable, hasFail2banServer, SKIP_REASON } from './server';

(hasFail2banServer ? describe : describe.skip)(
  `Fail2ban client errors, next to a real fail2ban-server${hasFail2banServer ? '' : ` (${SKIP_REASON})`}`,
  () => {
    const t = useClientServer();

    test('invalid jail names and addresses are refused before anything runs', async () => {
      // The executable does not exist: reaching it would give not_installed instead of invalid_argument.
      const unrunnable = createFail2banClient({ command: [path.join(t.dir, 'no-such-fail2ban-client')] });
      const badJails = ['', '-s', '--all', '.hidden', 'a b', 'web;reboot', '../web', 'x'.repeat(65), 'wéb'];
      for (const jail of badJails) {
        await rejection(unrunnable.ban(jail, '192.0.2.1'), InvalidFail2banArgumentError, 'invalid_argument');
        await rejection(unrunnable.jailStatus(jail), InvalidFail2banArgumentError, 'invalid_argument');
      }
      const badIps = [
        '',
        'not-an-ip',
        '192.0.2.0/24',
        '192.0.2.256',
        'fe80::1%eth0',
        '1.2.3.4; reboot',
        '9'.repeat(100),
      ];
      for (const ip of badIps) {
        const err = await rejection(unrunnable.unban('web', ip), InvalidFail2banArgumentError, 'invalid_argument');
        expect(err.statusCode).toBe(400);
        expect(err.message).toMatch(/^not an IP address: "/);
        expect(err.message.length).toBeLessThan(100);
      }
      expect(() => createFail2banClient({ timeoutMs: 0 })).toThrow(InvalidFail2banArgumentError);
    });

    test('a missing executable is "fail2ban-client is not installed" (503)', async () => {
      const absent = createFail2banClient({ command: [path.join(t.dir, 'bin', 'fail2ban-client')] });
      const err = await rejection(absent.ping(), Fail2banUnavailableError, Fail2banErrorCode.notInstalled);
      expect(err.message).toMatch(/^fail2ban-client is not installed/);
      expect(err.statusCode).toBe(503);
    });

    test('an executable this process may not run is permission_denied', async () => {
      const notExecutable = path.join(t.dir, 'fail2ban-client-copy');
      writeFileSync(notExecutable, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
      const cannotRun = createFail2banClient({ command: [notExecutable] });
      await rejection(cannotRun.status(), Fail2banUnavailableError, Fail2banErrorCode.permissionDenied);
    });

    const canDropPrivileges = process.getuid?.() === 0 && findExecutable('setpriv') !== undefined;
    (canDropPrivileges ? test : test.skip)(
      `a user without access to the socket gets permission_denied${canDropPrivileges ? '' : ' (skipped: needs root and setpriv)'}`,
      async () => {
        for (const d of [t.dir, t.server.configDir]) chmodSync(d, 0o755);
        const nobody = createFail2banClient({
          command: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'fail2ban-client'],
          socketPath: t.server.socket,
          configDir: t.server.configDir,
        });
        const err = await rejection(nobody.status(), Fail2banUnavailableError, Fail2banErrorCode.permissionDenied);
        expect(err.message).toContain(t.server.socket);
      }
    );

    test('no server at the socket path is "Fail2ban is not reachable at <socket>"', async () => {
      const socketPath = path.join(t.dir, 'elsewhere.sock');
      const nowhere = createFail2banClient({ socketPath, configDir: t.server.configDir });
      const err = await rejection(nowhere.status(), Fail2banUnavailableError, Fail2banErrorCode.unreachable);
      expect(err.message).toMatch(new RegExp(`^Fail2ban is not reachable at ${socketPath}`));

      const stale = path.join(t.dir, 'stale.sock'); // a file left where a socket was: connection refused
      writeFileSync(stale, '');
      const staleClient = createFail2banClient({ socketPath: stale, configDir: t.server.configDir });
      await rejection(staleClient.ping(), Fail2banUnavailableError, Fail2banErrorCode.unreachable);
    });

    test('a server that never answers is a timeout after timeoutMs', async () => {
      const socketPath = path.join(t.dir, 'silent.sock');
      const connections: Socket[] = [];
      const silent: Server = createServer((connection) => connections.push(connection)); // reads, never answers
      await new Promise<void>((resolve) => silent.listen(socketPath, resolve));
      try {
        const hung = createFail2banClient({ socketPath, configDir: t.server.configDir, timeoutMs: 2000 });
        const started = Date.now();
        const err = await rejection(hung.status(), Fail2banUnavailableError, Fail2banErrorCode.timeout);
        expect(Date.now() - started).toBeLessThan(5000);
        expect(err.message).toBe(`Fail2ban did not answer within 2000 ms at ${socketPath}`);
      } finally {
        for (const connection of connections) connection.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    test('once the server is stopped, calls fail with unreachable', async () => {
      await t.server.stop();
      const err = await rejection(t.client.jailStatus('web'), Fail2banUnavailableError, Fail2banErrorCode.unreachable);
      expect(err.message).toContain(t.server.socket);
      await rejection(t.client.ban('web', '192.0.2.99'), Fail2banUnavailableError, Fail2banErrorCode.unreachable);
    });
  }
);
