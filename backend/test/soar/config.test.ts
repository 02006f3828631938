import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { parseAutoBlockerConfig } from '../../src/soar/config';
import { DEFAULT_AUTO_BLOCKER } from '../../src/soar/config-defaults';
import { loadAutoBlockerConfig } from '../../src/soar/config-file';
import { tempDir } from '../helpers';
import { thrown } from '../helpers';

const SHIPPED = path.resolve(__dirname, '../../../provisioning/soar/soar-config.yml');

function yamlFile(content: string): string {
  const file = path.join(tempDir(), 'soar-config.yml');
  writeFileSync(file, content);
  return file;
}

describe('the shipped soar-config.yml', () => {
  test('passes the configuration loader, and its autoBlocker section holds the seeds’ jails', () => {
    const config = loadConfig({ SOAR_CONFIG: SHIPPED });
    expect(config.configFile).toBe(SHIPPED);
    const { config: blocker, file } = loadAutoBlockerConfig(SHIPPED);
    expect(file).toBe(SHIPPED);
    const summary = blocker.rules.map((r) => [
      r.id,
      r.threshold,
      r.windowMs,
      r.action === 'ban_perm' ? -1 : r.duration,
    ]);
    expect(summary).toEqual([
      ['port-scan', 1, 300_000, -1],
      ['api-admin', 3, 300_000, 86_400],
      ['api-auth', 5, 600_000, 3600],
      ['brute-force', 10, 300_000, 86_400],
      ['http-ddos', 300, 60_000, 600],
    ]);
    expect(blocker.rules.find((r) => r.id === 'api-admin')?.match).toEqual({
      status: [401, 403],
      pathPrefix: '/api/v1/admin/',
    });
    expect(blocker.rules.find((r) => r.id === 'api-auth')?.match).toEqual({ event: ['auth.login.failed'] });
    // Recidive: the third ban within 7 days is permanent.
    expect(blocker.escalation).toEqual({
      factor: 2,
      maxDuration: 604_800,
      permanentAfter: 3,
      permanentWindowMs: 604_800_000,
    });
    expect(blocker.whitelist).toEqual(['127.0.0.1', '::1', '10.0.0.0/8']);
  });

  test('is what runs when no file has an autoBlocker section', () => {
    expect(loadAutoBlockerConfig(SHIPPED).config).toEqual(DEFAULT_AUTO_BLOCKER);
    expect(loadAutoBlockerConfig(yamlFile('logging:\n  level: warn\n')).config).toEqual(DEFAULT_AUTO_BLOCKER);
    expect(loadAutoBlockerConfig(undefined, {}, tempDir())).toEqual({ config: DEFAULT_AUTO_BLOCKER, file: null });
  });
});

describe('parseAutoBlockerConfig', () => {
  test('fills a rule from Fail2ban’s defaults and normalizes addresses and methods', () => {
    const config = parseAutoBlockerConfig({
      whitelist: ['::FFFF:192.0.2.1', '2001:DB8::/32'],
      rules: [{ id: 'r1', match: { method: ['post'] } }],
    });
    expect(config.whitelist).toEqual(['192.0.2.1', '2001:db8::/32']);
    expect(config.rules).toEqual([
      {
        id: 'r1',
        name: 'r1',
        match: { method: ['POST'] },
        threshold: 5,
        windowMs: 600_000,
        duration: 600,
        action: 'ban_temp',
        severity: 'medium',
      },
    ]);
    expect(config.escalation).toEqual(DEFAULT_AUTO_BLOCKER.escalation);
  });

  test('an empty rule list means no rules; a missing one means the shipped rules', () => {
    expect(parseAutoBlockerConfig({ rules: [] }).rules).toEqual([]);
    expect(parseAutoBlockerConfig({ whitelist: [] }).rules).toEqual(DEFAULT_AUTO_BLOCKER.rules);
  });

  test.each([
    [{ rules: [{ id: 'a' }, { id: 'b' }, { id: 'c', threshold: 0 }] }, 'autoBlocker.rules[2].threshold', 'from 1'],
    [{ rules: [{ id: 'a', windowMs: 1.5 }] }, 'autoBlocker.rules[0].windowMs', 'integer'],
    [{ rules: [{ id: 'a', action: 'ban' }] }, 'autoBlocker.rules[0].action', 'ban_temp, ban_perm, alert'],
    [{ rules: [{ id: 'a', severity: 'urgent' }] }, 'autoBlocker.rules[0].severity', 'low, medium'],
    [{ rules: [{ id: 'a', match: { status: [200, 'x'] } }] }, 'autoBlocker.rules[0].match.status[1]', '100 to 599'],
    [{ rules: [{ id: 'a', match: { path: '/x' } }] }, 'autoBlocker.rules[0].match.path', 'not a known key'],
    [{ rules: [{ id: 'a', match: { event: ['bad type'] } }] }, 'autoBlocker.rules[0].match.event[0]', 'must match'],
    [{ rules: [{ id: 'a b' }] }, 'autoBlocker.rules[0].id', 'must match'],
    [{ rules: [{ id: 'a' }, { id: 'a' }] }, 'autoBlocker.rules[1].id', 'repeats the id of rules[0]'],
    [{ rules: [{ name: 'no id' }] }, 'autoBlocker.rules[0].id', 'must match'],
    [{ whitelist: ['10.0.0.0/33'] }, 'autoBlocker.whitelist[0]', 'CIDR'],
    [{ whitelist: '10.0.0.0/8' }, 'autoBlocker.whitelist', 'must be a list'],
    [{ escalation: { factor: 0.5 } }, 'autoBlocker.escalation.factor', 'from 1 to 1000'],
    [{ escalation: { permanentAfter: -1 } }, 'autoBlocker.escalation.permanentAfter', 'from 0'],
    [{ rule: [] }, 'autoBlocker.rule', 'not a known key'],
    [[], 'autoBlocker', 'must be a mapping'],
  ])('%j is refused at %s', (raw, key, detail) => {
    const err = thrown(() => parseAutoBlockerConfig(raw), ConfigError);
    expect(err.key).toBe(key);
    expect(err.message).toContain(detail);
  });

  test('errors from a file name the file and the key', () => {
    const file = yamlFile('autoBlocker:\n  rules:\n    - { id: a }\n    - { id: b }\n    - { id: c, threshold: 0 }\n');
    const err = thrown(() => loadAutoBlockerConfig(file), ConfigError);
    expect(err.key).toBe('soar-config.yml: autoBlocker.rules[2].threshold');
    expect(err.message).toBe(
      'invalid configuration: soar-config.yml: autoBlocker.rules[2].threshold must be an integer from 1 to 1000000 (got 0)'
    );
  });

  test('the rest of the file is checked as the server checks it', () => {
    const err = thrown(() => loadAutoBlockerConfig(yamlFile('autoBlocker: {}\nunknown: 1\n')), ConfigError);
    expect(err.key).toBe('soar-config.yml: unknown');
    expect(thrown(() => loadAutoBlockerConfig(yamlFile('autoBlocker: [\n')), ConfigError).message).toContain(
      'not valid YAML'
    );
  });
});
