import { http, HttpResponse } from 'msw';
import { FieldType } from '@grafana/data';
import { server, startServer } from '../test/server';
import { ban, columns, createDataSource, dsProxied, event, FROM, request, templateSrv, TO } from './test/fixtures';
import { QueryType } from './types';

startServer();
afterEach(() => {
  for (const key of Object.keys(templateSrv.variables)) {
    delete templateSrv.variables[key];
  }
});

/** Records the query strings a route was called with. */
function record(path: string, answer: (params: URLSearchParams, call: number) => unknown, status = 200) {
  const calls: URLSearchParams[] = [];
  server.use(
    http.get(dsProxied(path), ({ request: req }) => {
      const params = new URL(req.url).searchParams;
      calls.push(params);
      return HttpResponse.json(answer(params, calls.length) as Record<string, unknown>, { status });
    })
  );
  return calls;
}

describe('events', () => {
  test('a table frame of the events in the panel range, filtered, with dashboard variables interpolated', async () => {
    templateSrv.variables.ip = '198.51.100.0/24';
    const calls = record('api/security/events', () => ({
      events: [event({}), event({ id: '6f1c2a4e-0000-4000-a000-000000000002', user: null, status: null })],
      nextCursor: null,
    }));
    const ds = createDataSource();

    const { data, errors } = await ds.query(
      request([{ refId: 'A', queryType: QueryType.Events, eventType: 'auth.login.failed', ip: '$ip', user: 'alice' }])
    );

    expect(errors).toBeUndefined();
    expect(Object.fromEntries(calls[0])).toEqual({
      from: FROM,
      to: TO,
      type: 'auth.login.failed',
      ip: '198.51.100.0/24',
      user: 'alice',
      limit: '100',
    });
    expect(data).toHaveLength(1);
    const [frame] = data;
    expect(frame.refId).toBe('A');
    expect(frame.fields[0]).toMatchObject({ name: 'Time', type: FieldType.time });
    expect(frame.fields.find((f: { name: string }) => f.name === 'Status').type).toBe(FieldType.number);
    const table = columns(frame);
    expect(table.Time).toEqual([Date.parse('2026-03-01T05:00:00.000Z'), Date.parse('2026-03-01T05:00:00.000Z')]);
    expect(table.IP).toEqual(['198.51.100.7', '198.51.100.7']);
    expect(table.User).toEqual(['alice', null]);
    expect(table.Status).toEqual([401, null]);
    expect(table.Message).toEqual(['invalid password', 'invalid password']);
  });

  test("a repeated panel's own variable value wins over the dashboard's", async () => {
    templateSrv.variables.ip = '198.51.100.0/24';
    const calls = record('api/security/events', () => ({ events: [], nextCursor: null }));

    const { data } = await createDataSource().query(
      request([{ refId: 'A', queryType: QueryType.Events, ip: '$ip' }], {
        scopedVars: { ip: { text: '203.0.113.9', value: '203.0.113.9' } },
      })
    );

    expect(calls[0].get('ip')).toBe('203.0.113.9');
    expect(data[0].length).toBe(0);
  });

  test('pages are followed up to the limit', async () => {
    const calls = record('api/security/events', (_params, call) => ({
      events: [event({ id: `6f1c2a4e-0000-4000-a000-00000000000${call}` }), event({})],
      nextCursor: `page-${call + 1}`,
    }));

    const { data } = await createDataSource().query(request([{ refId: 'A', queryType: QueryType.Events, limit: 3 }]));

    expect(calls.map((c) => [c.get('limit'), c.get('cursor')])).toEqual([
      ['3', null],
      ['1', 'page-2'],
    ]);
    expect(data[0].length).toBe(3);
  });

  test('several types (a multi-value variable) are fetched one by one and merged, newest first', async () => {
    templateSrv.variables.types = ['auth.login.failed', 'http.scan'];
    const calls = record('api/security/events', (params) => ({
      events:
        params.get('type') === 'http.scan'
          ? [event({ type: 'http.scan', time: '2026-03-01T05:30:00.000Z' })]
          : [event({ time: '2026-03-01T05:00:00.000Z' }), event({ time: '2026-03-01T04:00:00.000Z' })],
      nextCursor: null,
    }));

    const { data } = await createDataSource().query(
      request([{ refId: 'A', queryType: QueryType.Events, eventType: '${types}' }])
    );

    expect(calls.map((c) => c.get('type')).sort()).toEqual(['auth.login.failed', 'http.scan']);
    expect(columns(data[0]).Type).toEqual(['http.scan', 'auth.login.failed', 'auth.login.failed']);
  });
});

describe('event counts', () => {
  const answer = {
    from: FROM,
    to: TO,
    intervalSeconds: 216,
    series: [
      {
        type: 'auth.login.failed',
        points: [
          { time: '2026-03-01T00:00:00.000Z', count: 3 },
          { time: '2026-03-01T00:03:36.000Z', count: 0 },
        ],
      },
      {
        type: 'http.scan',
        points: [
          { time: '2026-03-01T00:00:00.000Z', count: 1 },
          { time: '2026-03-01T00:03:36.000Z', count: 5 },
        ],
      },
    ],
  };

  test('one time series frame per event type, buckets no more than the panel has points', async () => {
    const calls = record('api/security/stats/series', () => answer);

    const { data } = await createDataSource().query(request([{ refId: 'B', queryType: QueryType.EventCounts }]));

    // 6 hours over 100 points: 216 s buckets, wider than the 60 s interval Grafana proposes.
    expect(Object.fromEntries(calls[0])).toEqual({ from: FROM, to: TO, interval: '216' });
    expect(data.map((f) => f.name)).toEqual(['auth.login.failed', 'http.scan']);
    const [logins] = data;
    expect(logins.refId).toBe('B');
    expect(logins.fields.map((f: { name: string; type: FieldType }) => [f.name, f.type])).toEqual([
      ['Time', FieldType.time],
      ['Events', FieldType.number],
    ]);
    expect(logins.fields[1].labels).toEqual({ type: 'auth.login.failed' });
    expect(logins.fields[1].config.displayNameFromDS).toBe('auth.login.failed');
    expect(logins.fields[0].config.interval).toBe(216_000);
    expect(columns(logins)).toEqual({
      Time: [Date.parse('2026-03-01T00:00:00.000Z'), Date.parse('2026-03-01T00:03:36.000Z')],
      Events: [3, 0],
    });
  });

  test("the panel's own interval is kept when it is the wider one, and types can be picked", async () => {
    const calls = record('api/security/stats/series', () => answer);

    const { data } = await createDataSource().query(
      request([{ refId: 'B', queryType: QueryType.EventCounts, eventType: 'http.scan' }], {
        intervalMs: 600_000,
        maxDataPoints: 1000,
      })
    );

    expect(calls[0].get('interval')).toBe('600');
    expect(data.map((f) => f.name)).toEqual(['http.scan']);
  });

  test('a backend without the series route says so on its query; the other queries still answer', async () => {
    record('api/security/stats/series', () => ({ message: 'Route GET:/api/security/stats/series not found' }), 404);
    record('api/audit/stats', () => ({ buckets: [] }));

    const { data, errors } = await createDataSource().query(
      request([
        { refId: 'B', queryType: QueryType.EventCounts },
        { refId: 'C', queryType: QueryType.AuditStats },
      ])
    );

    expect(errors).toHaveLength(1);
    expect(errors?.[0].refId).toBe('B');
    expect(errors?.[0].message).toMatch(/has no \/api\/security\/stats\/series/);
    expect(data.map((f) => f.refId)).toEqual(['C']);
  });

  test('an answer of another shape is an error, not an empty graph', async () => {
    record('api/security/stats/series', () => ({ series: [{ type: 'x', points: [{ t: 1 }] }] }));

    const { errors } = await createDataSource().query(request([{ refId: 'B', queryType: QueryType.EventCounts }]));

    expect(errors?.[0].message).toMatch(/point 0 of "x" has no "time" and "count"/);
  });
});

test('active bans: a table of the bans in force, a permanent one without end or duration', async () => {
  const calls = record('api/soar/bans', () => ({
    bans: [ban({}), ban({ ip: '192.0.2.0/24', until: null, duration: -1, ruleId: 'manual', enforcement: [] })],
    nextCursor: null,
  }));

  const { data } = await createDataSource().query(
    request([{ refId: 'D', queryType: QueryType.ActiveBans, ip: '192.0.2.0/16' }])
  );

  expect(Object.fromEntries(calls[0])).toEqual({ state: 'active', ip: '192.0.2.0/16', limit: '100' });
  const table = columns(data[0]);
  expect(table.IP).toEqual(['203.0.113.66', '192.0.2.0/24']);
  expect(table['Banned at']).toEqual([Date.parse('2026-03-01T05:30:00.000Z'), Date.parse('2026-03-01T05:30:00.000Z')]);
  expect(table.Until).toEqual([Date.parse('2026-03-01T06:30:00.000Z'), null]);
  expect(table.Duration).toEqual([3600, null]);
  expect(table.Rule).toEqual(['ssh-brute-force', 'manual']);
  expect(table.Enforcement).toEqual(['fail2ban: done', '']);
  expect(data[0].fields.find((f: { name: string }) => f.name === 'Duration').config.unit).toBe('s');
});

describe('audit stats', () => {
  test('per day: a time series of entries and failures', async () => {
    const calls = record('api/audit/stats', () => ({
      buckets: [
        { key: '2026-02-28', total: 7, failures: 2 },
        { key: '2026-03-01', total: 4, failures: 0 },
      ],
    }));

    const { data } = await createDataSource().query(request([{ refId: 'E', queryType: QueryType.AuditStats }]));

    expect(Object.fromEntries(calls[0])).toEqual({ from: FROM, to: TO, groupBy: 'day' });
    expect(data[0].fields[0].type).toBe(FieldType.time);
    expect(columns(data[0])).toEqual({
      Time: [Date.parse('2026-02-28T00:00:00Z'), Date.parse('2026-03-01T00:00:00Z')],
      Entries: [7, 4],
      Failures: [2, 0],
    });
  });

  test('per action: a table of counts', async () => {
    record('api/audit/stats', () => ({ buckets: [{ key: 'login', total: 5, failures: 3 }] }));

    const { data } = await createDataSource().query(
      request([{ refId: 'E', queryType: QueryType.AuditStats, groupBy: 'action' }])
    );

    expect(columns(data[0])).toEqual({ Action: ['login'], Entries: [5], Failures: [3] });
  });
});

test('hidden queries are not run', async () => {
  const { data } = await createDataSource().query(request([{ refId: 'A', queryType: QueryType.Events, hide: true }]));
  // MSW answers nothing here: a request would fail the test (onUnhandledRequest: 'error').
  expect(data).toEqual([]);
});

test('variables: event types and top addresses of the range, banned addresses', async () => {
  record('api/security/stats', () => ({
    byType: [
      { type: 'auth.login.failed', count: 4 },
      { type: 'http.scan', count: 1 },
    ],
    topIps: [{ ip: '198.51.100.7', events: 4, blocked: 0 }],
  }));
  record('api/soar/bans', () => ({ bans: [ban({}), ban({})], nextCursor: null }));
  const ds = createDataSource();

  expect(await ds.metricFindQuery('types')).toEqual([
    { text: 'auth.login.failed', value: 'auth.login.failed' },
    { text: 'http.scan', value: 'http.scan' },
  ]);
  expect(await ds.metricFindQuery('ips')).toEqual([{ text: '198.51.100.7', value: '198.51.100.7' }]);
  expect(await ds.metricFindQuery('bannedIps')).toEqual([{ text: '203.0.113.66', value: '203.0.113.66' }]);
  await expect(ds.metricFindQuery('users')).rejects.toThrow(/use one of types, ips, bannedIps/);
});
