import { HTTP_DURATION_BUCKETS } from '../src/plugins/metrics';
import { bearer, createTestApp, TEST_TOKENS, type TestApp } from './helpers';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict reader of the Prometheus text exposition format (0.0.4): fails on any line it does not understand.
 * Values parse as Go's ParseFloat does, so NaN in any letter case (prom-client writes "Nan"). */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|[Nn][Aa][Nn]|[+-]Inf)$/.exec(line);
    if (!sample) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] as string] = pair[2] as string;
    }
    samples.push({ name: sample[1] as string, labels, value: Number(sample[3]) });
  }
  return { samples, types };
}

describe('/metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  async function scrape() {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(res.body);
  }

  test('exposes process metrics and the HTTP series with route patterns, never raw URLs', async () => {
    await t.app.inject({ method: 'GET', url: '/api/system/session', headers: bearer(TEST_TOKENS.viewer) });
    await t.app.inject({ method: 'GET', url: '/api/system/session?secret=1', headers: bearer(TEST_TOKENS.viewer) });
    await t.app.inject({ method: 'GET', url: '/api/system/config', headers: bearer(TEST_TOKENS.viewer) });
    await t.app.inject({ method: 'GET', url: '/no/such/thing/42' });
    await t.app.inject({ method: 'GET', url: '/no/such/thing/43' });
    const { samples, types } = await scrape();

    expect(types.get('http_requests_total')).toBe('counter');
    expect(types.get('http_request_duration_seconds')).toBe('histogram');
    expect(types.get('http_requests_rate_limited_total')).toBe('counter');
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(samples.some((s) => s.name === name)).toBe(true);
    }

    const requests = samples.filter((s) => s.name === 'http_requests_total');
    const find = (route: string, status: string) =>
      requests.find((s) => s.labels.route === route && s.labels.status === status && s.labels.method === 'GET');
    expect(find('/api/system/session', '200')?.value).toBe(2);
    expect(find('/api/system/config', '403')?.value).toBe(1);
    expect(find('unmatched', '404')?.value).toBe(2);
    for (const s of requests) {
      expect(Object.keys(s.labels).sort()).toEqual(['method', 'route', 'status']);
      expect(s.labels.route).not.toMatch(/\?|\/no\/such/);
    }

    const buckets = samples
      .filter((s) => s.name === 'http_request_duration_seconds_bucket' && s.labels.route === '/api/system/session')
      .map((s) => s.labels.le);
    expect(buckets).toEqual([...HTTP_DURATION_BUCKETS.map(String), '+Inf']);
    const count = samples.find(
      (s) => s.name === 'http_request_duration_seconds_count' && s.labels.route === '/api/system/session'
    );
    expect(count?.value).toBe(2);
  });

  test('a scrape token, when configured, is required', async () => {
    const guarded = await createTestApp({ env: { METRICS_TOKEN: 'm'.repeat(40) } });
    try {
      expect((await guarded.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      expect(
        (await guarded.app.inject({ method: 'GET', url: '/metrics', headers: bearer('m'.repeat(40)) })).statusCode
      ).toBe(200);
      expect(
        (await guarded.app.inject({ method: 'GET', url: '/metrics', headers: bearer(TEST_TOKENS.viewer) })).statusCode
      ).toBe(200);
      expect(
        (await guarded.app.inject({ method: 'GET', url: '/metrics', headers: bearer(TEST_TOKENS.ingest) })).statusCode
      ).toBe(403);
    } finally {
      await guarded.close();
    }
  });
});
