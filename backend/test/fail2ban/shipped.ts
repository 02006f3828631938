import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROVISIONING_DIR } from './regex';
import { findExecutable, hasFail2banServer, writeServerConf } from './server';

// The shipped jail.local, filters and action, run by a real fail2ban-server on Fail2ban's stock jail.conf, with
// the firewall replaced by an action that only records what it is asked (firewall.log in the server's folder).
const STOCK_DIR = '/etc/fail2ban';
export const canRunShipped =
  hasFail2banServer && existsSync(path.join(STOCK_DIR, 'jail.conf')) && findExecutable('curl') !== undefined;
export const SHIPPED_SKIP_REASON = 'skipped: needs fail2ban-server, its stock configuration and curl';

/**
 * The configuration folder of a server in `dir` running the shipped jails: they read `dir/events.log` (and
 * `dir/kern.log` for cartae-port-scan), and report to `apiUrl` with `token`.
 */
export function buildShippedConfig(dir: string, apiUrl: string, token: string): string {
  const configDir = path.join(dir, 'conf');
  for (const sub of ['filter.d', 'action.d', 'jail.d', 'fail2ban.d'])
    mkdirSync(path.join(configDir, sub), { recursive: true });
  const stock = ['fail2ban.conf', 'jail.conf', ...readdirSync(STOCK_DIR).filter((f) => /^paths-.*\.conf$/.test(f))];
  for (const file of [...stock, 'filter.d/common.conf', 'filter.d/recidive.conf']) {
    copyFileSync(path.join(STOCK_DIR, file), path.join(configDir, file));
  }
  const shipped = ['jail.local', 'action.d/cartae-secops.conf', 'fail2ban.d/cartae-secops.local'];
  for (const filter of readdirSync(path.join(PROVISIONING_DIR, 'filter.d'))) shipped.push(`filter.d/${filter}`);
  for (const file of shipped) copyFileSync(path.join(PROVISIONING_DIR, file), path.join(configDir, file));

  writeServerConf(configDir, dir);
  writeFileSync(path.join(dir, 'secops.token'), `${token}\n`, { mode: 0o600 });
  const firewall = path.join(dir, 'firewall.log');
  writeFileSync(
    path.join(configDir, 'action.d', 'test-firewall.conf'),
    `[Definition]\nactionban = echo "+<name> <ip>" >> '${firewall}'\nactionunban = echo "-<name> <ip>" >> '${firewall}'\n`
  );
  // Fail2ban 1.0 does not start when a jail's log file is missing.
  for (const log of ['events.log', 'kern.log', 'fail2ban.log']) writeFileSync(path.join(dir, log), '');
  writeFileSync(
    path.join(configDir, 'jail.d', 'test.local'),
    [
      '[DEFAULT]',
      'banaction = test-firewall',
      'banaction_allports = test-firewall',
      `cartae_events_log = ${path.join(dir, 'events.log')}`,
      `cartae_secops_url = ${apiUrl}`,
      `cartae_secops_token_file = ${path.join(dir, 'secops.token')}`,
      '[cartae-port-scan]', // with the kernel log, as README.md explains
      `logpath = ${path.join(dir, 'events.log')}\n          ${path.join(dir, 'kern.log')}`,
      '[cartae-recidive]',
      `logpath = ${path.join(dir, 'fail2ban.log')}`,
      '',
    ].join('\n')
  );
  return configDir;
}

/** A security event line, timed now. */
export function eventLine(ip: string, event: string, fields: { path?: string; status?: number } = {}): string {
  return `${JSON.stringify({ time: new Date().toISOString(), event, ip, method: 'GET', ...fields })}\n`;
}
