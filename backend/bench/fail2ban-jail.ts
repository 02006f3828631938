/**
 * The peer of the replay bench: the real `fail2ban-regex` (CONTRACTS §1.5) with a filter equivalent to the
 * api-auth rule, and what a Fail2ban jail with the same maxretry/findtime/bantime would ban given the lines it
 * matched (a failure counts when fewer than findtime seconds old; maxretry of them ban; a banned host's
 * failures are not counted; ignoreip = the auto-blocker's whitelist).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { normalizeIp } from '../src/net/ip';
import { Whitelist } from '../src/soar/whitelist';

/**
 * The filter for `{"time":"<ISO>","event":"auth.login.failed","ip":"<addr>",…}` lines. Fail2ban cuts the date
 * (matched by datepattern, up to the closing quote) out of the line before applying failregex, so the regex is
 * anchored right after it: a user name that contains `"ip":"…"` comes later in the line and cannot match.
 */
export const AUTH_FILTER = `[Definition]
datepattern = ^\\{"time":"%%Y-%%m-%%dT%%H:%%M:%%S(?:\\.%%f)?Z"
failregex = ^,"event":"auth\\.login\\.failed","ip":"<ADDR>",
ignoreregex =
`;

export interface Fail2banRegexRun {
  seconds: number;
  lines: number;
  matched: number;
  /** The matched lines, in log order. */
  matchedLines: string[];
}

export function writeAuthFilter(file: string): void {
  writeFileSync(file, AUTH_FILTER);
}

/** Runs fail2ban-regex on `log` with `filter`; rejects when it is absent or fails. */
export function runFail2banRegex(log: string, filter: string): Promise<Fail2banRegexRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('fail2ban-regex', ['--print-all-matched', '--print-no-missed', '-e', 'UTF-8', log, filter]);
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', (e) => reject(new Error(`fail2ban-regex cannot run: ${e.message}`)));
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const text = Buffer.concat(out).toString('utf8');
      const summary = /^Lines: (\d+) lines, \d+ ignored, (\d+) matched/m.exec(text);
      if (code !== 0 || !summary) {
        reject(new Error(`fail2ban-regex exited with ${code}: ${err.trim() || text.slice(0, 500)}`));
        return;
      }
      const section = text.slice(text.indexOf('|- Matched line(s):'));
      const matchedLines = section
        .split('\n')
        .filter((line) => line.startsWith('|  {'))
        .map((line) => line.slice(3));
      resolve({ seconds, lines: Number(summary[1]), matched: Number(summary[2]), matchedLines });
    });
  });
}

export interface JailSettings {
  maxretry: number;
  findtimeMs: number;
  bantimeMs: number;
  ignoreip: readonly string[];
}

/** The hosts a jail bans, given its failures (time from each matched line's `time`, host from its `ip`). */
export function jailBans(matchedLines: readonly string[], jail: JailSettings): Set<string> {
  const ignore = new Whitelist(jail.ignoreip);
  const failures = new Map<string, number[]>();
  const bannedUntil = new Map<string, number>();
  const banned = new Set<string>();
  for (const line of matchedLines) {
    const { time, ip: raw } = JSON.parse(line) as { time: string; ip: string };
    const t = Date.parse(time);
    const ip = normalizeIp(raw);
    if (ip === null || ignore.has(ip) || t < (bannedUntil.get(ip) ?? -Infinity)) continue;
    const recent = (failures.get(ip) ?? []).filter((ts) => t - ts < jail.findtimeMs);
    recent.push(t);
    if (recent.length >= jail.maxretry) {
      banned.add(ip);
      bannedUntil.set(ip, t + jail.bantimeMs);
      failures.delete(ip);
    } else {
      failures.set(ip, recent);
    }
  }
  return banned;
}
