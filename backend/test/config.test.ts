import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../src/config';
import { tempDir, thrown } from './helpers';

function load(env: Record<string, string>, yaml?: string): Config {
  const cwd = tempDir();
  if (yaml !== undefined) writeFileSync(path.join(cwd, 'soar.yml'), yaml);
  return loadConfig({ ...(yaml !== undefined ? { SOAR_CONFIG: 'soar.yml' } : {}), ...env }, { cwd });
}

const errorOf = (fn: () => unknown) => thrown(fn, ConfigError);

describe('configuration', () => {
  test('defaults: loopback on 3010, PGlite in ./data, no file needed', () => {
    const cwd = tempDir();
    const config = loadConfig({}, { cwd });
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.server.port).toBe(3010);
    expect(config.database.url).toBeUndefined();
    expect(config.dataDir).toBe(path.join(cwd, 'data'));
    expect(config.configFile).toBeNull();
    expect(config.logLevel).toBe('info');
    expect(config.rateLimit).toEqual({ max: 1200, windowMs: 60_000, allowList: [] });
  });

  test('reads the YAML file, and environment variables win over it', () => {
    const yaml =
      'api:\n  rateLimit: { max: 50, windowMs: 10000, allowList: [10.0.0.1] }\n  requestTimeoutMs: 5000\nlogging:\n  level: debug\n';
    const fromFile = load({}, yaml);
    expect(fromFile.rateLimit).toEqual({ max: 50, windowMs: 10_000, allowList: ['10.0.0.1'] });
    expect(fromFile.server.requestTimeoutMs).toBe(5000);
    expect(fromFile.logLevel).toBe('debug');
    expect(fromFile.configFile).toMatch(/soar\.yml$/);

    const overridden = load({ RATE_LIMIT_MAX: '7', LOG_LEVEL: 'warn', REQUEST_TIMEOUT_MS: '2000' }, yaml);
    expect(overridden.rateLimit.max).toBe(7);
    expect(overridden.rateLimit.windowMs).toBe(10_000);
    expect(overridden.logLevel).toBe('warn');
    expect(overridden.server.requestTimeoutMs).toBe(2000);
  });

  test('the shipped soar-config.yml is valid', () => {
    const root = path.resolve(__dirname, '../..');
    const config = loadConfig({}, { cwd: root });
    expect(config.configFile).toBe(path.join(root, 'provisioning/soar/soar-config.yml'));
  });

  test.each([
    [{ PORT: 'abc' }, 'PORT', 'must be an integer'],
    [{ PORT: '70000' }, 'PORT', 'between 0 and 65535'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', 'must be one of'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', 'postgres://'],
    [{ DATABASE_SCHEMA: 'Robert"; drop' }, 'DATABASE_SCHEMA', 'SQL identifier'],
    [{ SECOPS_ADMIN_TOKEN: 'short' }, 'SECOPS_ADMIN_TOKEN', 'at least 32'],
    [{ SECOPS_VIEWER_TOKEN: 'x'.repeat(32), SECOPS_ADMIN_TOKEN: 'x'.repeat(32) }, 'SECOPS_ADMIN_TOKEN', 'must differ'],
    [{ SOAR_CONFIG: 'missing.yml' }, 'SOAR_CONFIG', 'does not exist'],
    [{ SECOPS_ADMIN_TOKEN_FILE: '/nonexistent/token' }, 'SECOPS_ADMIN_TOKEN_FILE', 'cannot be read'],
  ])('environment %j is rejected naming %s', (env, key, detail) => {
    const err = errorOf(() => load(env as Record<string, string>));
    expect(err.key).toBe(key);
    expect(err.message).toContain(key);
    expect(err.message).toContain(detail);
  });

  test.each([
    ['api:\n  rateLimit:\n    max: 0\n', 'soar.yml: api.rateLimit.max', 'greater or equal to 1'],
    ['api:\n  ratelimit: {}\n', 'soar.yml: api.ratelimit', 'not a known key'],
    ['logging:\n  level: loud\n', 'soar.yml: logging.level', 'must be one of fatal, error'],
    ['api: [1, 2]\n', 'soar.yml: api', 'expected object'],
    ['api:\n  rateLimit: { max: 1\n', 'soar.yml', 'not valid YAML'],
  ])('YAML %j is rejected naming %s', (yaml, key, detail) => {
    const err = errorOf(() => load({}, yaml));
    expect(err.key).toBe(key);
    expect(err.message.toLowerCase()).toContain(detail.toLowerCase());
  });

  test('secrets can come from *_FILE variables, but not from both forms at once', () => {
    const dir = tempDir();
    const file = path.join(dir, 'admin.token');
    writeFileSync(file, `${'z'.repeat(40)}\n`);
    expect(load({ SECOPS_ADMIN_TOKEN_FILE: file }).auth.adminToken).toBe('z'.repeat(40));
    expect(errorOf(() => load({ SECOPS_ADMIN_TOKEN_FILE: file, SECOPS_ADMIN_TOKEN: 'y'.repeat(40) })).key).toBe(
      'SECOPS_ADMIN_TOKEN'
    );
  });

  test('TRUST_PROXY takes a boolean or a list of addresses', () => {
    expect(load({ TRUST_PROXY: 'true' }).server.trustProxy).toBe(true);
    expect(load({ TRUST_PROXY: 'off' }).server.trustProxy).toBe(false);
    expect(load({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).server.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
  });
});
