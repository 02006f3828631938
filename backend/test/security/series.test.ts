import { testDatabases, type TestApp } from '../helpers';
import { post, securityApp, viewer } from './support';

interface Series {
  type: string;
  total: number;
  points: { time: string; count: number }[];
}

const MINUTE = 60_000;

describe.each(testDatabases)('events per type over time on $name', ({ open }) => {
  let t: TestApp;
  // A minute boundary ten minutes ago: buckets of 60 s start on it.
  const base = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;
  const at = (ms: number) => new Date(base + ms).toISOString();
  const event = (type: string, ms: number) => ({ time: at(ms), event: type, ip: '192.0.2.7' });

  beforeAll(async () => {
    t = await securityApp({ db: await open() });
    const events = [
      event('app.alpha', 5_000),
      event('app.alpha', 59_999),
      event('app.beta', 65_000),
      event('app.alpha', 3 * MINUTE + 1_000),
      // Outside every range asked below but the default one.
      event('app.gamma', -5 * MINUTE),
    ];
    expect((await post(t, events)).statusCode).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  const get = async (query: string, headers: Record<string, string> = viewer) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/security/stats/series?${query}`, headers });
    return { status: res.statusCode, body: res.json() };
  };
  const counts = (series: Series[]) => Object.fromEntries(series.map((s) => [s.type, s.points.map((p) => p.count)]));

  test('counts per type per bucket, every bucket present, most events first', async () => {
    const { status, body } = await get(`from=${at(0)}&to=${at(4 * MINUTE - 1)}&interval=60`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ from: at(0), to: at(4 * MINUTE - 1), intervalSeconds: 60 });
    expect(body.series.map((s: Series) => [s.type, s.total])).toEqual([
      ['app.alpha', 3],
      ['app.beta', 1],
    ]);
    expect(counts(body.series)).toEqual({ 'app.alpha': [2, 0, 0, 1], 'app.beta': [0, 1, 0, 0] });
    const times = [0, 1, 2, 3].map((i) => at(i * MINUTE).replace('.000Z', 'Z'));
    for (const series of body.series as Series[]) {
      expect(series.points.map((p) => p.time)).toEqual(times);
    }
  });

  test('buckets stay on multiples of the interval; only events within [from, to] count', async () => {
    const { body } = await get(`from=${at(30_000)}&to=${at(3 * MINUTE + 500)}&interval=60`);
    // The first bucket starts at base, before `from`: the event at base + 5 s is outside the range.
    expect(counts(body.series)).toEqual({ 'app.alpha': [1, 0, 0, 0], 'app.beta': [0, 1, 0, 0] });
    expect((body.series[0] as Series).points[0]?.time).toBe(at(0).replace('.000Z', 'Z'));
    // Two-minute buckets (epoch multiples of 120 s) over the same events.
    const wide = await get(`from=${at(0)}&to=${at(4 * MINUTE - 1)}&interval=120`);
    const total = (wide.body.series as Series[]).reduce((n, s) => n + s.points.reduce((m, p) => m + p.count, 0), 0);
    expect(total).toBe(4);
    expect((wide.body.series as Series[]).every((s) => s.points.length === (base % (2 * MINUTE) === 0 ? 2 : 3))).toBe(
      true
    );
  });

  test('a range without events has no series; the default is the last 24 hours in round buckets', async () => {
    expect((await get(`from=2001-01-01T00:00:00Z&to=2001-01-01T01:00:00Z&interval=60`)).body.series).toEqual([]);
    const { status, body } = await get('');
    expect(status).toBe(200);
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(24 * 60 * MINUTE);
    expect(body.intervalSeconds).toBe(900);
    expect(counts(body.series)['app.gamma']?.reduce((a: number, b: number) => a + b)).toBe(1);
    const lengths = new Set((body.series as Series[]).map((s) => s.points.length));
    expect(lengths.size).toBe(1);
    expect([...lengths][0]).toBeGreaterThanOrEqual(96);
    expect([...lengths][0]).toBeLessThanOrEqual(97);
  });

  test('too many buckets, bad parameters and no token are refused', async () => {
    const tooMany = await get('from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&interval=60');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toMatch(/makes \d+ buckets; at most 1000: widen the interval/);
    expect((await get('from=2020-01-01T00:00:00Z&to=2020-01-01T16:39:00Z&interval=60')).status).toBe(200);
    expect((await get('from=2020-01-01T00:00:00Z&to=2020-01-01T16:40:00Z&interval=60')).status).toBe(400);
    expect((await get('interval=0')).status).toBe(400);
    expect((await get('interval=1.5')).status).toBe(400);
    expect((await get('from=yesterday')).status).toBe(400);
    expect((await get('from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z')).status).toBe(400);
    expect((await get('step=60')).status).toBe(400);
    expect((await get('', {})).status).toBe(401);
  });
});
