// A real fail2ban-server for the e2e run (Debian package fail2ban), so that the Bans page's Fail2ban jails are read
// and changed through the backend's fail2ban-client exactly as on a Fail2ban host. Two jails reading empty log
// files; the ban action only records what it was asked (no firewall is touched). Without fail2ban-server on PATH
// (or with E2E_FAIL2BAN=0) there is none, and the page shows that Fail2ban is not available.
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const E2E_JAILS = ['cartae-api-auth', 'cartae-port-scan'];

function onPath(name) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function writeConfig(dir) {
  const conf = path.join(dir, 'conf');
  mkdirSync(path.join(conf, 'filter.d'), { recursive: true });
  mkdirSync(path.join(conf, 'action.d'));
  writeFileSync(path.join(conf, 'fail2ban.conf'), '[Definition]\n');
  writeFileSync(
    path.join(conf, 'fail2ban.local'),
    [
      '[Definition]',
      'loglevel = INFO',
      `logtarget = ${path.join(dir, 'fail2ban.log')}`,
      `socket = ${path.join(dir, 'fail2ban.sock')}`,
      `pidfile = ${path.join(dir, 'fail2ban.pid')}`,
      `dbfile = ${path.join(dir, 'fail2ban.sqlite3')}`,
      // set, so that Fail2ban does not warn about each default
      'syslogsocket = auto',
      'allowipv6 = auto',
      'dbpurgeage = 1d',
      '',
    ].join('\n')
  );
  writeFileSync(
    path.join(conf, 'filter.d', 'e2e-login.conf'),
    '[Definition]\nfailregex = ^\\s*login failed from <ADDR>$\ndatepattern = ^{EPOCH}\n'
  );
  const record = path.join(dir, 'actions.log');
  writeFileSync(
    path.join(conf, 'action.d', 'e2e-record.conf'),
    `[Definition]\nactionban = echo "+<name> <ip>" >> '${record}'\nactionunban = echo "-<name> <ip>" >> '${record}'\n`
  );
  const jails = E2E_JAILS.map((name) => {
    writeFileSync(path.join(dir, `${name}.log`), '');
    return `[${name}]\nenabled = true\nfilter = e2e-login\nlogpath = ${path.join(dir, `${name}.log`)}\n`;
  });
  writeFileSync(
    path.join(conf, 'jail.conf'),
    `[DEFAULT]\nbackend = polling\naction = e2e-record\nmaxretry = 5\nfindtime = 10m\nbantime = 1h\n\n${jails.join('\n')}`
  );
  return conf;
}

const ping = (socket) =>
  new Promise((resolve) =>
    execFile('fail2ban-client', ['-s', socket, 'ping'], { timeout: 5000 }, (error) => resolve(error === null))
  );

/** Starts the server in `parent`/fail2ban; resolves to its socket and a stop(), or null when it cannot run here. */
export async function startFail2ban(parent) {
  if (process.env.E2E_FAIL2BAN === '0' || !onPath('fail2ban-server') || !onPath('fail2ban-client')) {
    return null;
  }
  const dir = path.join(parent, 'fail2ban');
  mkdirSync(dir);
  const conf = writeConfig(dir);
  const socket = path.join(dir, 'fail2ban.sock');
  const child = spawn('fail2ban-server', ['-f', '-x', '-s', socket, '-p', path.join(dir, 'fail2ban.pid'), '-c', conf], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        return resolve();
      }
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(killer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + 30_000;
  while (!(await ping(socket))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`fail2ban-server did not start (exit ${child.exitCode})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { socket, stop };
}
