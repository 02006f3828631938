import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The installed command, as operators run it. */
const BIN = path.resolve(__dirname, '../../bin/cartae-secops.js');
const SHIPPED_CONFIG = path.resolve(__dirname, '../../../provisioning/soar/soar-config.yml');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'secops-replay-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const target = path.join(dir, name);
  writeFileSync(target, content);
  return target;
}

function replay(args: string[], input?: string | Buffer) {
  return spawnSync(process.execPath, [BIN, 'replay', ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    input,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
}

const at = (s: number) => new Date(Date.UTC(2026, 2, 1, 12, 0, 0) + s * 1000).toISOString();
const line = (s: number, ip: string, event: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    time: at(s),
    event,
    ip,
    user: 'bob',
    method: 'POST',
    path: '/api/v1/auth/login',
    status: 401,
    ...extra,
  });

/** An attack log for the shipped rules, with the lines a real log also holds. */
function attackLog(): Buffer {
  const lines: (string | Buffer)[] = [];
  for (let i = 0; i < 5; i++) lines.push(line(i * 10, '198.51.100.7', 'auth.login.failed')); // api-auth at the 5th
  for (let i = 0; i < 5; i++) {
    // Log injection: the user name carries another address, which must never be counted.
    lines.push(line(60 + i, '198.51.100.8', 'auth.login.failed', { user: 'x","ip":"203.0.113.250' }));
  }
  lines.push(line(70, '203.0.113.9', 'network.scan.detected', { status: 400 }));
  for (let i = 0; i < 3; i++)
    lines.push(line(80 + i, '::ffff:192.0.2.44', 'http.request', { path: '/api/v1/admin/users', status: 403 }));
  for (let i = 0; i < 5; i++) lines.push(line(90 + i, '10.0.0.5', 'auth.login.failed')); // whitelisted
  lines.push('{"time":"2026-03-01T12:01:40Z","event":"auth.login.failed","ip":"198.51.'); // cut
  lines.push('');
  lines.push(
    Buffer.concat([
      Buffer.from(line(101, '198.51.100.9', 'auth.login.failed').slice(0, -2)),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ])
  );
  lines.push(line(102, '198.51.100.10', 'http.request', { user: 'u'.repeat(1024 * 1024) }));
  lines.push(line(103, 'not-an-address', 'auth.login.failed'));
  return Buffer.concat(lines.flatMap((l) => [Buffer.from(l), Buffer.from('\n')]));
}

describe('cartae-secops replay', () => {
  test('prints one JSON line per decision, and statistics on stderr; bad lines are counted, not fatal', () => {
    const log = file('attack.jsonl', attackLog());
    const result = replay(['--config', SHIPPED_CONFIG, log, '--stats']);
    expect(result.status).toBe(0);
    const decisions = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(decisions).toEqual([
      { ip: '198.51.100.7', ruleId: 'api-auth', at: at(40), duration: 3600, banNumber: 1 },
      { ip: '198.51.100.8', ruleId: 'api-auth', at: at(64), duration: 3600, banNumber: 1 },
      { ip: '203.0.113.9', ruleId: 'port-scan', at: at(70), duration: -1, banNumber: 1 },
      { ip: '192.0.2.44', ruleId: 'api-admin', at: at(82), duration: 86_400, banNumber: 1 },
    ]);
    expect(Object.keys(decisions[0] as object)).toEqual(['ip', 'ruleId', 'at', 'duration', 'banNumber']);
    expect(result.stderr).toMatch(/^lines: 24 in [\d.]+ s \([\d.]+k? lines\/s\): 19 events, 5 rejected$/m);
    expect(result.stderr).toMatch(/^events: 5 whitelisted, 0 blocked \(IP banned\)$/m);
    expect(result.stderr).toMatch(/^decisions: 3 temporary bans, 1 permanent bans, 0 alerts$/m);
    expect(result.stderr).toMatch(/^api-auth +10 +2$/m);
    expect(result.stderr).toMatch(/^rejected: .*invalid_json 1/m);
    for (const reason of ['blank 1', 'invalid_utf8 1', 'too_long 1', 'invalid_ip 1'])
      expect(result.stderr).toContain(reason);
  });

  test('is deterministic, and reads standard input with "-"', () => {
    const log = attackLog();
    const first = replay(['--config', SHIPPED_CONFIG, file('again.jsonl', log)]);
    const second = replay(['--config', SHIPPED_CONFIG, '-'], log);
    expect(first.status).toBe(0);
    expect(first.stderr).toBe('');
    expect(second.stdout).toBe(first.stdout);
  });

  test('a configuration error names the key and exits 78; a missing log exits 2', () => {
    const config = file('bad.yml', 'autoBlocker:\n  rules:\n    - { id: a, threshold: 0 }\n');
    const bad = replay(['--config', config, file('empty.jsonl', '')]);
    expect(bad.status).toBe(78);
    expect(bad.stderr).toContain('bad.yml: autoBlocker.rules[0].threshold must be an integer from 1 to 1000000');
    const missing = replay(['--config', SHIPPED_CONFIG, path.join(dir, 'nope.jsonl')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('nope.jsonl');
  });
});
