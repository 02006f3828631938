import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EventScanner } from '../../src/soar/event-scanner';
import { parseSecuritySettings } from '../../src/security/config';
import { tempDir } from '../helpers';
import { countedBy, readIni, seconds, shippedRules } from './pairs';
import { removeDir } from './server';
import { fail2banRegex, FIXTURES_DIR, hasFail2banRegex, PROVISIONING_DIR } from './regex';

const filterFile = (name: string) => path.join(PROVISIONING_DIR, 'filter.d', `${name}.conf`);
const EVENTS_LOG = path.join(FIXTURES_DIR, 'security-events.log');
const KERNEL_LOG = path.join(FIXTURES_DIR, 'kernel.log');
const LINES = readFileSync(EVENTS_LOG, 'utf8').replace(/\n$/, '').split('\n');
const RULES = shippedRules();
/** Each auto-blocker rule is the jail cartae-<rule id>, whose filter has the same name. */
const PAIRS = RULES.map((rule) => [`cartae-${rule.id}`, rule.id] as const);
/** Written inside client-chosen values (user name, path, user agent, nested objects) or overridden by a later key. */
const INJECTED = '6.6.6.6';

/** What fail2ban-regex matched in the sample log: line numbers (from 1), addresses and times. */
async function filterMatches(filter: string, log = EVENTS_LOG, timeZone?: string) {
  const { summary, matches } = await fail2banRegex(log, filterFile(filter), timeZone);
  return {
    summary,
    lines: matches.map((m) => {
      const line = LINES.indexOf(m.line) + 1;
      if (line === 0) throw new Error(`fail2ban-regex printed a line that is not in the sample: ${m.line}`);
      return { line, ip: m.ip, time: m.time };
    }),
  };
}

describe('the cartae-* jails are the auto-blocker rules', () => {
  const jails = readIni(path.join(PROVISIONING_DIR, 'jail.local'));

  test.each(PAIRS)('%s has the threshold, window and duration of rule %s', (jail, ruleId) => {
    const rule = RULES.find((r) => r.id === ruleId);
    const section = jails.get(jail);
    expect(section?.get('filter')).toBe(jail);
    expect(seconds(section?.get('maxretry') ?? '')).toBe(rule?.threshold);
    expect(seconds(section?.get('findtime') ?? '') * 1000).toBe(rule?.windowMs);
    expect(seconds(section?.get('bantime') ?? '')).toBe(rule?.action === 'ban_perm' ? -1 : rule?.duration);
  });

  test("the only other jails: recidive (the rules' escalation), and the one the API bans in, which reads nothing", () => {
    const others = [...jails.keys()].filter((name) => name !== 'DEFAULT' && !PAIRS.some(([jail]) => jail === name));
    expect(others).toEqual(['cartae-recidive', 'cartae-secops']);
    const enforcement = jails.get('cartae-secops');
    expect(enforcement?.get('filter')).toBe('');
    expect(enforcement?.get('logpath')).toBeUndefined();
    expect(enforcement?.get('bantime')).toBe('-1');
    expect(parseSecuritySettings(undefined).enforcement.fail2ban.jail).toBe('cartae-secops'); // the default
  });

  test('every filter in filter.d belongs to a jail, and the sample log has distinct lines', () => {
    const shipped = readdirSync(path.join(PROVISIONING_DIR, 'filter.d')).sort();
    const expected = [...PAIRS.map(([jail]) => `${jail}.conf`), 'cartae-secops-common.conf'].sort();
    expect(shipped).toEqual(expected);
    // Matches are mapped back to line numbers by their text.
    expect(new Set(LINES).size).toBe(LINES.length);
  });
});

(hasFail2banRegex ? describe : describe.skip)(
  `Fail2ban filters run by the real fail2ban-regex${hasFail2banRegex ? '' : ' (skipped: fail2ban-regex is not installed)'}`,
  () => {
    test.each(PAIRS)(
      '%s matches exactly the lines rule %s counts, with the same address and time',
      async (jail, id) => {
        const counted = countedBy(RULES, id, LINES);
        const { lines } = await filterMatches(jail);
        expect(counted.length).toBeGreaterThan(0);
        expect(lines.map((m) => [m.line, m.ip])).toEqual(counted.map((c) => [c.line, c.ip]));
        expect(lines.map((m) => Math.floor(m.time))).toEqual(counted.map((c) => Math.floor(c.timeMs / 1000)));
      }
    );

    test('cartae-api-auth: the failed logins, in any key order, spacing and address form', async () => {
      const { lines, summary } = await filterMatches('cartae-api-auth');
      expect(lines.map((m) => m.ip)).toEqual([
        '203.0.113.10',
        '203.0.113.11',
        '2001:db8::20',
        '198.51.100.30', // ::ffff:198.51.100.30
        '2001:db8::21', // [2001:db8::21]
        '198.51.100.32', // spaces after ":" and ","
        '198.51.100.33', // +02:00 offset
        '10.1.2.3',
        '203.0.113.13',
        '203.0.113.14',
        '198.51.100.60', // "ip" repeated: the last one
      ]);
      expect(summary).toMatchObject({ lines: LINES.length, matched: 11 });
    });

    test('no filter takes an address, type, path or status written inside another value', async () => {
      const results = await Promise.all(PAIRS.map(([jail]) => filterMatches(jail)));
      for (const { lines } of results) expect(lines.map((m) => m.ip)).not.toContain(INJECTED);
      const linesOf = (jail: string) => results[PAIRS.findIndex(([j]) => j === jail)]?.lines.map((m) => m.line);
      const noted = (note: string) => LINES.findIndex((l) => l.includes(`"note":"${note}"`)) + 1;
      expect(linesOf('cartae-brute-force')).not.toContain(noted('status in the path'));
      expect(linesOf('cartae-brute-force')).not.toContain(noted('repeated status: the last one counts'));
      expect(linesOf('cartae-api-auth')).not.toContain(noted('type and address in the user name'));
      expect(linesOf('cartae-api-admin')).not.toContain(noted('admin path and status in the user name'));
      expect(linesOf('cartae-api-admin')).toContain(noted('slashes escaped as PHP writes them'));
    });

    test('lines that are no valid event count nowhere (the last 12 of the sample)', async () => {
      const { lines, summary } = await filterMatches('cartae-http-ddos');
      const missed = LINES.map((_l, i) => i + 1).filter((n) => !lines.some((m) => m.line === n));
      expect(missed).toEqual(Array.from({ length: 12 }, (_v, i) => LINES.length - 11 + i));
      const scanner = new EventScanner();
      for (const n of missed) expect(scanner.scan(Buffer.from(LINES[n - 1] as string), 0, Infinity)).toBe(false);
      expect(summary).toMatchObject({ lines: LINES.length, matched: LINES.length - 12, missed: 12 });
    });

    test('the time read is the event\'s own "time", whatever the local time zone', async () => {
      const utc = await filterMatches('cartae-http-ddos');
      const elsewhere = await filterMatches('cartae-http-ddos', EVENTS_LOG, 'America/New_York');
      expect(elsewhere.lines).toEqual(utc.lines);
      const offset = utc.lines.find((m) => m.ip === '198.51.100.33');
      expect(offset?.time).toBe(Math.floor(Date.parse('2026-11-22T06:40:13Z') / 1000)); // 08:40:13+02:00
    });

    test('cartae-port-scan also reads kernel log lines: SYN and NULL/FIN/Xmas probes, not replies, UDP or quoted packets', async () => {
      const { summary, matches } = await fail2banRegex(KERNEL_LOG, filterFile('cartae-port-scan'));
      expect(matches.map((m) => m.ip)).toEqual([
        '203.0.113.20', // SYN
        '2001:db8::21', // SYN with ECN, IPv6 written in full by the kernel
        '198.51.100.22', // Xmas
        '198.51.100.23', // NULL
        '198.51.100.24', // FIN
        '198.51.100.25', // SYN, traditional syslog time
      ]);
      expect(matches[0]?.time).toBe(Date.parse('2026-11-22T06:40:00Z') / 1000);
      // Left out: ACK, ACK RST, SYN ACK, UDP, an ICMP error quoting a SYN, another log prefix, a program
      // that is not the kernel, an unrelated kernel message.
      expect(summary).toMatchObject({ lines: 14, matched: 6, missed: 8 });
    });

    test('a user name longer than the API keeps counts in both: the auto-blocker cuts it, Fail2ban ignores lengths', async () => {
      // A client-chosen value must not take an attack out of the count: the auto-blocker keeps the event with
      // the user cut to 256 characters, and Fail2ban, which checks no lengths, counts the line as well.
      const line = JSON.stringify({
        time: '2026-11-22T06:41:00Z',
        event: 'auth.login.failed',
        ip: '192.0.2.99',
        user: 'u'.repeat(300),
      });
      const scanner = new EventScanner();
      expect(scanner.scan(Buffer.from(line), 0, line.length)).toBe(true);
      expect(scanner.truncatedFields()).toEqual(['user']);
      expect(scanner.toEvent()).toMatchObject({ event: 'auth.login.failed', ip: '192.0.2.99', user: 'u'.repeat(256) });
      const dir = tempDir('f2b-long-');
      try {
        writeFileSync(path.join(dir, 'events.log'), `${line}\n`);
        const { matches } = await fail2banRegex(path.join(dir, 'events.log'), filterFile('cartae-api-auth'));
        expect(matches.map((m) => m.ip)).toEqual(['192.0.2.99']);
      } finally {
        removeDir(dir);
      }
    });
  }
);
