import { banSecond, reportAuditId } from '../../src/fail2ban/events';
import { bearer, createTestApp, TEST_TOKENS, testDatabases, type TestApp } from '../helpers';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
/** What action.d/cartae-secops.conf sends for a ban (curl --data-urlencode). */
const BAN =
  'jail=cartae-api-auth&ip=203.0.113.9&action=ban&time=1764857703.4093351&bantime=3600&bancount=1&failures=5&restored=0';

interface EventView {
  id: number;
  jail: string;
  ip: string;
  action: string;
  time: string;
  bantime: number | null;
  restored: boolean;
}

describe('banSecond: Fail2ban’s rounding of a ban time in its database (Python round, half to even)', () => {
  test.each([
    [1764857703.4093351, 1764857703],
    [1764857703.6, 1764857704],
    [1764857702.5, 1764857702],
    [1764857703.5, 1764857704],
    [1764857703, 1764857703],
  ])('%d → %d', (time, second) => expect(banSecond(time)).toBe(second));

  test('a report’s audit id is a UUID that only its key decides', () => {
    const report = { jail: 'sshd', ip: '192.0.2.1', action: 'ban' as const, time: 1764857703.4 };
    expect(reportAuditId(report)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(reportAuditId({ ...report, time: 1764857703 })).toBe(reportAuditId(report));
    expect(reportAuditId({ ...report, action: 'unban' })).not.toBe(reportAuditId(report));
  });
});

describe.each(testDatabases)('POST and GET /api/fail2ban/events ($name)', ({ open }) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ db: await open(), env: { FAIL2BAN_ENABLED: 'false' } });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const report = (payload: string | object, headers: Record<string, string> = bearer(TEST_TOKENS.ingest)) =>
    t.app.inject({
      method: 'POST',
      url: '/api/fail2ban/events',
      headers: typeof payload === 'string' ? { ...headers, ...FORM } : headers,
      payload,
    });
  const list = async (query = '') => {
    const res = await t.app.inject({ url: `/api/fail2ban/events${query}`, headers: bearer(TEST_TOKENS.viewer) });
    expect(res.statusCode).toBe(200);
    return res.json() as { events: EventView[]; nextCursor: string | null };
  };
  const auditedFor = async (ip: string) => {
    const res = await t.app.inject({
      url: '/api/audit/events?resource=fail2ban&limit=500',
      headers: bearer(TEST_TOKENS.viewer),
    });
    return (res.json() as { events: { action: string; resourceId: string }[] }).events.filter((e) =>
      e.resourceId.endsWith(`/${ip}`)
    );
  };

  test('a ban is recorded once, whatever the retries, with one audit entry', async () => {
    const first = await report(BAN);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({
      recorded: true,
      event: {
        id: expect.any(Number),
        jail: 'cartae-api-auth',
        ip: '203.0.113.9',
        action: 'ban',
        time: '2025-12-04T14:15:03.409Z',
        bantime: 3600,
        bancount: 1,
        failures: 5,
        restored: false,
        reporter: '127.0.0.1',
        reportedBy: 'token:ingest',
        receivedAt: expect.any(String),
      },
    });
    const retries = await Promise.all([report(BAN), report(BAN), report(BAN)]);
    expect(retries.map((r) => [r.statusCode, r.json().recorded])).toEqual([
      [200, false],
      [200, false],
      [200, false],
    ]);
    // Restored at Fail2ban's start-up: the time as its database keeps it, rounded to the second.
    const restored = BAN.replace('time=1764857703.4093351', 'time=1764857703').replace('restored=0', 'restored=1');
    expect((await report(restored)).json()).toMatchObject({ recorded: false, event: { restored: false } });
    expect((await list('?ip=203.0.113.9')).events).toHaveLength(1);
    expect((await auditedFor('203.0.113.9')).map((e) => e.action)).toEqual(['fail2ban.ban']);
  });

  test('copies of a new report arriving together: one record, one audit entry', async () => {
    const body = 'jail=sshd&ip=198.51.100.9&action=ban&time=1764857900.25&bantime=600';
    const answers = await Promise.all([report(body), report(body), report(body)]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
    expect((await list('?ip=198.51.100.9')).events).toHaveLength(1);
    expect((await auditedFor('198.51.100.9')).map((e) => e.action)).toEqual(['fail2ban.ban']);
  });

  test('the unban is its own event; `event=` is accepted for `action` (CONTRACTS §1.6)', async () => {
    const unban = await report('event=unban&jail=cartae-api-auth&ip=203.0.113.9&time=1764857703.4093351');
    expect(unban.statusCode).toBe(201);
    expect(unban.json().event).toMatchObject({ action: 'unban', bantime: null, failures: null });
    expect((await list('?ip=203.0.113.9')).events.map((e) => e.action)).toEqual(['unban', 'ban']);
    expect((await auditedFor('203.0.113.9')).map((e) => e.action)).toEqual(['fail2ban.unban', 'fail2ban.ban']);
  });

  test('a prolonged ban (bantime.increment) is kept beside its ban, once, with its longer ban time', async () => {
    const fields = 'jail=cartae-api-auth&ip=198.51.100.77&time=1764858000.5&bancount=2&failures=5&restored=0';
    expect((await report(`action=ban&bantime=3600&${fields}`)).statusCode).toBe(201);
    const prolong = await report(`action=prolong&bantime=7200&${fields}`);
    expect(prolong.statusCode).toBe(201);
    expect(prolong.json().event).toMatchObject({ action: 'prolong', bantime: 7200, bancount: 2 });
    expect((await report(`action=prolong&bantime=7200&${fields}`)).json()).toMatchObject({ recorded: false });
    expect((await list('?ip=198.51.100.77')).events.map((e) => [e.action, e.bantime])).toEqual([
      ['prolong', 7200],
      ['ban', 3600],
    ]);
    expect((await list('?ip=198.51.100.77&action=prolong')).events).toHaveLength(1);
    expect((await auditedFor('198.51.100.77')).map((e) => e.action)).toEqual(['fail2ban.prolong', 'fail2ban.ban']);
    expect((await report(`action=extend&${fields}`)).statusCode).toBe(400);
  });

  test('admin may report and a JSON body works too; viewer and no token may not', async () => {
    const json = { jail: 'sshd', ip: '::ffff:198.51.100.4', action: 'ban', time: 1764857800, bantime: -1 };
    const byAdmin = await report(json, bearer(TEST_TOKENS.admin));
    expect(byAdmin.statusCode).toBe(201);
    expect(byAdmin.json().event).toMatchObject({ ip: '198.51.100.4', bantime: -1, reportedBy: 'token:admin' });
    expect((await report(BAN.replace('203.0.113.9', '192.0.2.8'), bearer(TEST_TOKENS.viewer))).statusCode).toBe(403);
    expect((await report(BAN.replace('203.0.113.9', '192.0.2.8'), {})).statusCode).toBe(401);
    expect((await list('?ip=192.0.2.8')).events).toEqual([]);
  });

  test.each([
    ['an invalid address', BAN.replace('ip=203.0.113.9', 'ip=203.0.113.999'), /not an IP address/],
    ['an invalid jail', BAN.replace('jail=cartae-api-auth', 'jail=-x'), /jail must match pattern/],
    ['no action', BAN.replace('&action=ban', ''), /action is required/],
    ['an unknown action', BAN.replace('action=ban', 'action=kick'), /action must be equal to one of/],
    ['action and event disagreeing', `${BAN}&event=unban`, /action and event disagree/],
    ['a time that is no number', BAN.replace(/time=[\d.]+/, 'time=yesterday'), /time must be number/],
    ['a negative ban time below -1', BAN.replace('bantime=3600', 'bantime=-5'), /bantime must be >= -1/],
    ['a field given twice', `${BAN}&ip=192.0.2.66`, /form field "ip" is given twice/],
  ])('%s: 400 naming it, nothing recorded', async (_what, body, message) => {
    const before = (await list()).events.length;
    const res = await report(body.replace('203.0.113.9', '192.0.2.77'));
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
    expect((await list()).events).toHaveLength(before);
  });

  test('the list is newest first, paged with nextCursor, and filtered by jail, address and action', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await report(`jail=web&ip=192.0.2.${20 + i}&action=ban&time=${1764858000 + i}`)).statusCode).toBe(201);
    }
    const page1 = await list('?jail=web&limit=2');
    expect(page1.events.map((e) => e.ip)).toEqual(['192.0.2.24', '192.0.2.23']);
    const page2 = await list(`?jail=web&limit=2&cursor=${page1.nextCursor}`);
    expect(page2.events.map((e) => e.ip)).toEqual(['192.0.2.22', '192.0.2.21']);
    const page3 = await list(`?jail=web&limit=2&cursor=${page2.nextCursor}`);
    expect([page3.events.map((e) => e.ip), page3.nextCursor]).toEqual([['192.0.2.20'], null]);
    expect((await list('?action=unban')).events.map((e) => e.ip)).toEqual(['203.0.113.9']);
    expect((await list('?ip=::ffff:192.0.2.22')).events.map((e) => e.jail)).toEqual(['web']);
    const bad = await t.app.inject({ url: '/api/fail2ban/events?cursor=abc', headers: bearer(TEST_TOKENS.viewer) });
    expect(bad.statusCode).toBe(400);
    const ingest = await t.app.inject({ url: '/api/fail2ban/events', headers: bearer(TEST_TOKENS.ingest) });
    expect(ingest.statusCode).toBe(403);
  });
});
