import { alertAuditId, alertTime, eventSeverity, severityLabel } from '../../src/alertmanager/alert';
import { bearer, createTestApp, TEST_TOKENS, testDatabases, type TestApp } from '../helpers';

const JSON_HEADERS = { 'content-type': 'application/json' };

interface AlertInput {
  status?: 'firing' | 'resolved';
  labels?: Record<string, string>;
  fingerprint?: string;
  startsAt?: string;
  endsAt?: string;
}

/** A notification as Alertmanager 0.2x sends it (CONTRACTS §2.1), with the newer fields it may add. */
function notification(alerts: AlertInput[], extra: Record<string, unknown> = {}) {
  const full = alerts.map((a) => ({
    status: a.status ?? 'firing',
    labels: { alertname: 'BruteForceAttack', severity: 'critical', job: 'cartae-secops', ...a.labels },
    annotations: { summary: 'brute force on the API', runbook_url: 'https://example.com/runbooks/bf' },
    startsAt: a.startsAt ?? '2026-12-04T10:00:00.123456789Z',
    endsAt: a.endsAt ?? '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
    fingerprint: a.fingerprint ?? 'c6eadffa33fcdf37',
  }));
  return {
    version: '4',
    groupKey: '{}/{}:{alertname="BruteForceAttack"}',
    truncatedAlerts: 0,
    status: full.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: 'cartae-secops',
    groupLabels: { alertname: 'BruteForceAttack' },
    commonLabels: { alertname: 'BruteForceAttack' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    notification_reason: 'new_alert',
    routeLabels: {},
    alerts: full,
    ...extra,
  };
}

describe('alerts as recorded', () => {
  test('Go’s zero time is no time; an RFC 3339 time with nanoseconds is one', () => {
    expect(alertTime('0001-01-01T00:00:00Z')).toBeNull();
    expect(alertTime('2026-12-04T10:00:00.123456789Z')?.toISOString()).toBe('2026-12-04T10:00:00.123Z');
  });

  test('the severity label is bounded; the event severity follows it, a resolution is info', () => {
    expect(['critical', 'Warning', null, '', 'page', 'x'.repeat(50)].map((s) => severityLabel(s))).toEqual([
      'critical',
      'warning',
      'none',
      'none',
      'other',
      'other',
    ]);
    expect(eventSeverity({ status: 'firing', severity: 'critical' })).toBe('critical');
    expect(eventSeverity({ status: 'firing', severity: 'warning' })).toBe('medium');
    expect(eventSeverity({ status: 'firing', severity: 'page' })).toBe('high');
    expect(eventSeverity({ status: 'resolved', severity: 'critical' })).toBe('info');
  });

  test('the audit id depends on fingerprint, start and status only', () => {
    const key = { fingerprint: 'ab12', startsAt: new Date('2026-12-04T10:00:00Z'), status: 'firing' as const };
    expect(alertAuditId(key)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(alertAuditId({ ...key })).toBe(alertAuditId(key));
    expect(alertAuditId({ ...key, status: 'resolved' })).not.toBe(alertAuditId(key));
    expect(alertAuditId({ ...key, startsAt: new Date('2026-12-04T10:00:01Z') })).not.toBe(alertAuditId(key));
  });
});

describe.each(testDatabases)('POST /api/soar/alertmanager ($name)', ({ open }) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ db: await open(), env: { FAIL2BAN_ENABLED: 'false' } });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const deliver = (payload: unknown, headers: Record<string, string> = bearer(TEST_TOKENS.ingest)) =>
    t.app.inject({
      method: 'POST',
      url: '/api/soar/alertmanager',
      headers: { ...headers, ...JSON_HEADERS },
      payload: JSON.stringify(payload),
    });
  const alertRows = async (fingerprint: string) =>
    (
      await t.db.query<{ status: string; ip: string | null; event_id: string | null; severity: string | null }>(
        'SELECT status, host(ip) AS ip, event_id::text AS event_id, severity FROM soar_alerts WHERE fingerprint = $1 ORDER BY id',
        [fingerprint]
      )
    ).rows;
  const audited = async (fingerprint: string) => {
    const res = await t.app.inject({
      url: '/api/audit/events?resource=alert&limit=500',
      headers: bearer(TEST_TOKENS.viewer),
    });
    expect(res.statusCode).toBe(200);
    return (
      res.json() as { events: { action: string; resourceId: string; metadata: Record<string, unknown> }[] }
    ).events
      .filter((e) => e.resourceId === fingerprint)
      .map((e) => ({ action: e.action, alertIp: e.metadata.alertIp }));
  };
  const events = async (ip: string) => {
    const res = await t.app.inject({ url: `/api/security/events?ip=${ip}`, headers: bearer(TEST_TOKENS.viewer) });
    expect(res.statusCode).toBe(200);
    return (res.json() as { events: { id: string; type: string; severity: string; time: string; source: string }[] })
      .events;
  };
  const received = async (status: string, severity: string) => {
    const text = (await t.app.inject({ url: '/metrics' })).body;
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`soar_alerts_received_total{status="${status}",severity="${severity}"}`));
    return line === undefined ? 0 : Number(line.split(' ')[1]);
  };

  test('an alert naming an address: recorded, audited and a security event; a redelivery changes nothing', async () => {
    const body = notification([{ labels: { ip: '::ffff:203.0.113.50' }, fingerprint: 'aa01' }]);
    const first = await deliver(body);
    expect(first.statusCode).toBe(200);
    const eventId = first.json().alerts[0].eventId as string;
    expect(first.json()).toEqual({
      recorded: 1,
      duplicates: 0,
      alerts: [
        {
          fingerprint: 'aa01',
          status: 'firing',
          startsAt: '2026-12-04T10:00:00.123Z',
          recorded: true,
          ip: '203.0.113.50',
          eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        },
      ],
    });
    expect(await events('203.0.113.50')).toEqual([
      expect.objectContaining({
        id: eventId,
        type: 'alertmanager.alert.firing',
        severity: 'critical',
        time: '2026-12-04T10:00:00.123Z',
        source: 'alertmanager',
      }),
    ]);
    expect(await received('firing', 'critical')).toBe(1);

    const again = await Promise.all([deliver(body), deliver(body)]);
    expect(again.map((r) => [r.statusCode, r.json().recorded, r.json().duplicates])).toEqual([
      [200, 0, 1],
      [200, 0, 1],
    ]);
    expect(again[0]?.json().alerts[0].eventId).toBe(eventId);
    expect(await alertRows('aa01')).toEqual([
      { status: 'firing', ip: '203.0.113.50', event_id: eventId, severity: 'critical' },
    ]);
    expect(await audited('aa01')).toEqual([{ action: 'alertmanager.alert.firing', alertIp: '203.0.113.50' }]);
    expect(await events('203.0.113.50')).toHaveLength(1);
    expect(await received('firing', 'critical')).toBe(1);
  });

  test('its resolution is recorded as well, as an info event at its end', async () => {
    const firing = notification([{ labels: { ip: '198.51.100.60', severity: 'warning' }, fingerprint: 'bb02' }]);
    expect((await deliver(firing)).json().recorded).toBe(1);
    const resolved = notification([
      {
        status: 'resolved',
        labels: { ip: '198.51.100.60', severity: 'warning' },
        fingerprint: 'bb02',
        endsAt: '2026-12-04T10:05:00Z',
      },
    ]);
    const res = await deliver(resolved);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ recorded: 1, duplicates: 0, alerts: [{ status: 'resolved', recorded: true }] });
    expect((await deliver(resolved)).json()).toMatchObject({ recorded: 0, duplicates: 1 });
    expect((await alertRows('bb02')).map((r) => r.status)).toEqual(['firing', 'resolved']);
    expect((await events('198.51.100.60')).map((e) => [e.type, e.severity, e.time])).toEqual([
      ['alertmanager.alert.resolved', 'info', '2026-12-04T10:05:00.000Z'],
      ['alertmanager.alert.firing', 'medium', '2026-12-04T10:00:00.123Z'],
    ]);
    expect((await audited('bb02')).map((e) => e.action)).toEqual([
      'alertmanager.alert.resolved',
      'alertmanager.alert.firing',
    ]);
    expect(await received('resolved', 'warning')).toBe(1);
  });

  test('an alert without an address is recorded and audited, with no security event', async () => {
    const before = (await events('0.0.0.0/0')).length;
    const body = notification([
      { labels: { alertname: 'BackendDown', severity: 'critical', instance: '10.0.0.5:3010' }, fingerprint: 'cc03' },
    ]);
    const res = await deliver(body);
    expect(res.json()).toMatchObject({ recorded: 1, alerts: [{ ip: null, eventId: null }] });
    expect(await alertRows('cc03')).toEqual([{ status: 'firing', ip: null, event_id: null, severity: 'critical' }]);
    expect(await audited('cc03')).toEqual([{ action: 'alertmanager.alert.firing', alertIp: undefined }]);
    expect(await events('0.0.0.0/0')).toHaveLength(before);
  });

  test.each([
    [
      'no fingerprint',
      (b: ReturnType<typeof notification>) => delete (b.alerts[0] as Partial<(typeof b.alerts)[0]>).fingerprint,
      /fingerprint/,
    ],
    ['another version', (b: ReturnType<typeof notification>) => Object.assign(b, { version: '3' }), /version/],
    [
      'an unknown status',
      (b: ReturnType<typeof notification>) => Object.assign(b.alerts[0] as object, { status: 'pending' }),
      /status/,
    ],
    [
      'a start that is no time',
      (b: ReturnType<typeof notification>) => Object.assign(b.alerts[0] as object, { startsAt: 'yesterday' }),
      /startsAt/,
    ],
    [
      'a resolved alert without an end',
      (b: ReturnType<typeof notification>) => Object.assign(b.alerts[0] as object, { status: 'resolved' }),
      /alerts\[0\]\.endsAt/,
    ],
    [
      'a label that is no string',
      (b: ReturnType<typeof notification>) => Object.assign(b.alerts[0]?.labels as object, { ip: { v4: '192.0.2.1' } }),
      /labels/,
    ],
    ['no alerts', (b: ReturnType<typeof notification>) => delete (b as Partial<typeof b>).alerts, /alerts/],
  ])('%s: 400 naming the field, nothing recorded', async (_what, change, message) => {
    const body = notification([{ labels: { ip: '192.0.2.99' }, fingerprint: 'dd04' }]);
    change(body);
    const res = await deliver(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
    expect(await alertRows('dd04')).toEqual([]);
    expect(await audited('dd04')).toEqual([]);
  });

  test('no token: 401; a viewer token: 403; the admin token may deliver', async () => {
    const body = notification([{ labels: { ip: '192.0.2.98' }, fingerprint: 'ee05' }]);
    expect((await deliver(body, {})).statusCode).toBe(401);
    expect((await deliver(body, bearer('x'.repeat(40)))).statusCode).toBe(401);
    expect((await deliver(body, bearer(TEST_TOKENS.viewer))).statusCode).toBe(403);
    expect(await alertRows('ee05')).toEqual([]);
    expect((await deliver(body, bearer(TEST_TOKENS.admin))).json()).toMatchObject({ recorded: 1 });
  });
});
