import { parseAllJailsStatus, parseChangedCount, parseJailList, parseJailStatus } from '../../src/fail2ban/parse';
import { Fail2banCommandError } from '../../src/fail2ban';

// Outputs as fail2ban-client prints them (client/beautifier.py): 1.0.2 as captured from the real client, 0.x
// with its two TABs after "Jail list:", 1.1 `status --all` as its beautifier nests jails.

const JAIL_1_0 = [
  'Status for the jail: sshd',
  '|- Filter',
  '|  |- Currently failed:\t1',
  '|  |- Total failed:\t12',
  '|  `- File list:\t/var/log/auth.log /var/log/secure',
  '`- Actions',
  '   |- Currently banned:\t3',
  '   |- Total banned:\t7',
  '   `- Banned IP list:\t192.0.2.10 2001:DB8:0::1 192.0.2.0/24',
  '',
].join('\n');

const ALL_1_1 = [
  'Status',
  '|- Number of jail:\t2',
  '|- Jail list:\trecidive, sshd',
  '`- Status for the jails:',
  '   |- Jail: recidive',
  '   |  |- Filter',
  '   |  |  |- Currently failed:\t0',
  '   |  |  |- Total failed:\t4',
  '   |  |  `- File list:\t/var/log/fail2ban.log',
  '   |  `- Actions',
  '   |     |- Currently banned:\t1',
  '   |     |- Total banned:\t1',
  '   |     `- Banned IP list:\t192.0.2.10',
  '   `- Jail: sshd',
  '      |- Filter',
  '      |  |- Currently failed:\t1',
  '      |  |- Total failed:\t12',
  '      |  `- Journal matches:\t_SYSTEMD_UNIT=sshd.service + _COMM=sshd',
  '      `- Actions',
  '         |- Currently banned:\t2',
  '         |- Total banned:\t3',
  '         `- Banned IP list:\t2001:db8::1 ::ffff:198.51.100.7',
].join('\n');

describe('fail2ban-client output parsing', () => {
  test('jail list: 1.0 (one TAB), 0.x (two TABs), none', () => {
    expect(parseJailList('Status\n|- Number of jail:\t2\n`- Jail list:\tt-2.x, t1\n')).toEqual(['t-2.x', 't1']);
    expect(parseJailList('Status\n|- Number of jail:\t1\n`- Jail list:\t\tsshd\n')).toEqual(['sshd']);
    expect(parseJailList('Status\n|- Number of jail:\t0\n`- Jail list:\t\n')).toEqual([]);
    expect(() => parseJailList('Server replied: pong\n')).toThrow(Fail2banCommandError);
  });

  test('one jail: counters, files, banned addresses normalized (a CIDR entry kept as printed)', () => {
    expect(parseJailStatus('sshd', JAIL_1_0)).toEqual({
      jail: 'sshd',
      currentlyFailed: 1,
      totalFailed: 12,
      fileList: ['/var/log/auth.log', '/var/log/secure'],
      currentlyBanned: 3,
      totalBanned: 7,
      bannedIps: ['192.0.2.10', '2001:db8::1', '192.0.2.0/24'],
    });
  });

  test('the "short" flavour has no ban list; CRLF line ends are tolerated', () => {
    const short = JAIL_1_0.replace(/\n {3}`- Banned IP list:.*\n/, '\n').replace('|- Total banned', '`- Total banned');
    expect(parseJailStatus('sshd', short.replace(/\n/g, '\r\n'))).toMatchObject({ totalBanned: 7, bannedIps: [] });
  });

  test('a missing or non-numeric counter is an error, not a zero', () => {
    const garbled = JAIL_1_0.replace('Total banned:\t7', 'Total banned:\tmany');
    expect(() => parseJailStatus('sshd', garbled)).toThrow(Fail2banCommandError);
    expect(() => parseJailStatus('sshd', garbled)).toThrow(/no "total banned" count/);
    expect(() => parseJailStatus('sshd', 'Sorry but the jail does not exist')).toThrow(Fail2banCommandError);
  });

  test('status --all (1.1): one entry per jail, journal jails with their matches', () => {
    const all = parseAllJailsStatus(ALL_1_1);
    expect(all).toEqual([
      {
        jail: 'recidive',
        currentlyFailed: 0,
        totalFailed: 4,
        fileList: ['/var/log/fail2ban.log'],
        currentlyBanned: 1,
        totalBanned: 1,
        bannedIps: ['192.0.2.10'],
      },
      {
        jail: 'sshd',
        currentlyFailed: 1,
        totalFailed: 12,
        journalMatches: '_SYSTEMD_UNIT=sshd.service + _COMM=sshd',
        currentlyBanned: 2,
        totalBanned: 3,
        bannedIps: ['2001:db8::1', '198.51.100.7'],
      },
    ]);
    expect(parseJailList(ALL_1_1)).toEqual(['recidive', 'sshd']);
  });

  test('ban and unban counts', () => {
    expect(parseChangedCount('1\n')).toBe(1);
    expect(parseChangedCount('0')).toBe(0);
    expect(() => parseChangedCount('not banned\n')).toThrow(Fail2banCommandError);
  });
});
