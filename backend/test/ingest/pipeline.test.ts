import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bearer, createTestApp, TEST_TOKENS, testDatabases, type TestApp } from '../helpers';
import { tempDir, waitFor } from './support';

const viewer = bearer(TEST_TOKENS.viewer);

/** A failed login from `ip` now, as an application writes it to its security event log. */
const failedLogin = (ip: string, n: number) =>
  `${JSON.stringify({ time: new Date().toISOString(), event: 'auth.login.failed', ip, user: `u${n}`, msg: `${n}` })}\n`;

describe.each(testDatabases)('a tailed log file through the auto-blocker on $name', ({ open }) => {
  let t: TestApp;
  let log: string;
  beforeEach(async () => {
    const dir = tempDir();
    log = path.join(dir, 'security-events.log');
    writeFileSync(log, '');
    writeFileSync(
      path.join(dir, 'soar.yml'),
      [
        'ingest:',
        `  files: [{ path: ${log} }]`,
        '  pollIntervalMs: 20',
        'autoBlocker:',
        "  whitelist: ['127.0.0.1']",
        '  rules:',
        '    - { id: api-auth, name: Authentication failures, match: { event: [auth.login.failed] },',
        '        threshold: 3, windowMs: 600000, duration: 3600, action: ban_temp, severity: medium }',
        '',
      ].join('\n')
    );
    t = await createTestApp({ db: await open(), env: { SOAR_CONFIG: path.join(dir, 'soar.yml') } });
  });
  afterEach(async () => {
    await t.close();
  });

  test('events written to the file are stored, counted by the rules, and ban the attacker', async () => {
    appendFileSync(log, failedLogin('203.0.113.9', 1) + failedLogin('203.0.113.9', 2) + 'not json\n');
    appendFileSync(log, failedLogin('198.51.100.4', 3) + failedLogin('203.0.113.9', 4));

    const bans = async () =>
      (await t.app.inject({ url: '/api/soar/bans?state=active', headers: viewer })).json() as {
        bans: { ip: string; ruleId: string; banNumber: number }[];
      };
    await waitFor('the ban', async () => (await bans()).bans.length > 0);
    expect((await bans()).bans).toMatchObject([{ ip: '203.0.113.9', ruleId: 'api-auth', banNumber: 1 }]);

    const events = await t.app.inject({ url: '/api/security/events?ip=203.0.113.9', headers: viewer });
    expect((events.json() as { events: unknown[] }).events).toHaveLength(3);

    const status = (await t.app.inject({ url: '/api/ingest/status', headers: viewer })).json();
    expect(status.files[0]).toMatchObject({ path: log, events: 4, rejected: { invalid_json: 1 } });
  });
});
