import { createTestApp, testDatabases } from '../helpers';
import { admin, ev, post, securityApp, viewer } from './support';

describe.each(testDatabases)('POST /api/security/events on $name', ({ open }) => {
  test('runs a batch through the rules, stores it and answers with outcomes and decisions', async () => {
    const t = await securityApp({ db: await open() });
    try {
      const res = await post(t, [
        ev('192.0.2.1'),
        ev('192.0.2.1'),
        ev('10.1.2.3'),
        ev('192.0.2.1', 'auth.login.failed', { user: 'alice' }),
        ev('192.0.2.1'),
        ev('192.0.2.9', 'http.request', { status: 200, method: 'get', path: '/' }),
      ]);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.accepted).toBe(6);
      expect(body.outcomes).toMatchObject({ counted: 2, banned: 1, blocked: 1, whitelisted: 1, ignored: 1 });
      expect(body.decisions).toEqual([
        expect.objectContaining({ action: 'ban', ip: '192.0.2.1', ruleId: 'auth', duration: 60, banNumber: 1 }),
      ]);
      const events = await t.app.inject({ method: 'GET', url: '/api/security/events?limit=10', headers: viewer });
      expect(events.statusCode).toBe(200);
      expect(events.json().events).toHaveLength(6);
      const bans = await t.app.inject({ method: 'GET', url: '/api/soar/bans', headers: viewer });
      expect(bans.json().bans).toEqual([
        expect.objectContaining({
          ip: '192.0.2.1',
          ruleId: 'auth',
          active: true,
          actor: 'soar:auto-blocker',
          source: 'auto-blocker',
        }),
      ]);
    } finally {
      await t.close();
    }
  });

  test('a big batch goes through COPY: text that needs escaping is stored as sent (NUL aside)', async () => {
    const t = await securityApp({ db: await open() });
    try {
      const msg = 'tab\there\nnew line\r\\N back\\slash \u0000 "quoted" é 😀';
      const events = Array.from({ length: 99 }, (_, i) => ev(`192.0.2.${i + 1}`, 'http.request', { status: 200 }));
      events.push(ev('198.51.100.1', 'app.custom', { msg, user: '\\N', path: '/a\tb', userAgent: null }));
      expect((await post(t, events)).json().accepted).toBe(100);
      const res = await t.app.inject({ method: 'GET', url: '/api/security/events?type=app.custom', headers: viewer });
      expect(res.json().events).toEqual([
        expect.objectContaining({ msg: msg.replace('\u0000', '\uFFFD'), user: '\\N', path: '/a\tb', userAgent: null }),
      ]);
      expect(
        (await t.app.inject({ method: 'GET', url: '/api/security/events?limit=500', headers: viewer })).json().events
      ).toHaveLength(100);
    } finally {
      await t.close();
    }
  });

  test('a user name or user agent too long is cut, and the event still counts towards a ban', async () => {
    const t = await securityApp({ db: await open() });
    try {
      const long = { user: 'u'.repeat(5000), userAgent: 'a'.repeat(5000) };
      const res = await post(
        t,
        [1, 2, 3].map(() => ev('192.0.2.77', 'auth.login.failed', long))
      );
      expect(res.statusCode).toBe(200);
      expect(res.json().outcomes).toMatchObject({ counted: 2, banned: 1 });
      const stored = await t.app.inject({ method: 'GET', url: '/api/security/events?ip=192.0.2.77', headers: viewer });
      expect(
        stored.json().events.map((e: { user: string; userAgent: string }) => [e.user.length, e.userAgent.length])
      ).toEqual([
        [256, 1024],
        [256, 1024],
        [256, 1024],
      ]);
    } finally {
      await t.close();
    }
  });

  test('who may post, and metrics', async () => {
    const t = await securityApp({ db: await open() });
    try {
      expect((await post(t, [ev('192.0.2.1')], viewer)).statusCode).toBe(403);
      expect((await post(t, [ev('192.0.2.1')], {})).statusCode).toBe(401);
      expect(
        (await post(t, [ev('192.0.2.1'), ev('192.0.2.1'), ev('192.0.2.1'), ev('192.0.2.1', 'x.y')], admin)).statusCode
      ).toBe(200);
      const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/^http_auth_failed_total 1$/m);
      expect(metrics).toMatch(/^security_events_total\{type="auth.login.failed",severity="medium"\} 3$/m);
      expect(metrics).toMatch(/^security_events_total\{type="other",severity="info"\} 1$/m);
      expect(metrics).toMatch(/^soar_auto_blocks_total\{rule="auth"\} 1$/m);
      expect(metrics).toMatch(/^http_requests_blocked_total\{ip="192.0.2.1"\} 1$/m);
      expect(metrics).toMatch(/^soar_active_bans 1$/m);
      expect(metrics).toMatch(/^security_events_blocked_ips_24h 1$/m);
      expect(metrics).toMatch(/^security_events_suspicious_activities 3$/m);
    } finally {
      await t.close();
    }
  });

  test('503 while the ban state is not loaded, and when too many batches wait', async () => {
    const unmigrated = await createTestApp({ db: await open(), migrate: false });
    try {
      const res = await post(unmigrated, [ev('192.0.2.1')]);
      expect(res.statusCode).toBe(503);
      expect(res.json().message).toMatch(/has not loaded its ban state/);
    } finally {
      await unmigrated.close();
    }
    const t = await securityApp({ db: await open(), security: { maxConcurrentBatches: 1, maxQueuedBatches: 0 } });
    try {
      // The first batch holds the only slot while its transaction waits.
      let open: () => void = () => undefined;
      const opened = new Promise<void>((resolve) => (open = resolve));
      const transaction = t.db.transaction.bind(t.db);
      t.db.transaction = async (fn) => {
        await opened;
        return transaction(fn);
      };
      const first = post(t, [ev('192.0.2.1')]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const second = await post(t, [ev('192.0.2.2')]);
      expect(second.statusCode).toBe(503);
      expect(second.headers['retry-after']).toBe('1');
      expect(second.json().message).toMatch(/busy/);
      open();
      expect((await first).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  test('an invalid event rejects the whole batch with its index and field', async () => {
    const t = await securityApp({ db: await open() });
    try {
      const res = await post(t, { events: [ev('192.0.2.1'), ev('192.0.2.1'), ev('not-an-ip')] }, admin);
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(/^events\[2\]\.ip /);
      const events = await t.app.inject({ method: 'GET', url: '/api/security/events', headers: viewer });
      expect(events.json().events).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
