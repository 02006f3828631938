import { chainHash, leafHash } from '../src/audit';
import { csvCell } from '../src/audit/export';
import { bearer, createTestApp, testDatabases, TEST_TOKENS, type TestApp } from './helpers';

interface Exported {
  seq: number;
  action: string;
  leafHash: string;
  hashPrev: string;
  hashCurrent: string;
  canonical: string;
}

describe.each(testDatabases)('GET /api/audit/export on $name', ({ open }) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ db: await open() });
    t.app.config.audit.excludePaths.push('/api'); // only the seeded entries
    const events = Array.from({ length: 2105 }, (_, i) => ({
      action: i % 2 === 0 ? 'ban.create' : 'login',
      resource: 'bans',
      resourceId: i === 7 ? '=HYPERLINK("http://evil.example","x")' : `198.51.100.${i % 250}`,
      errorMessage: i === 9 ? 'said "no", twice\nthen left' : undefined,
      status: 'success',
    }));
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/audit/events',
      headers: { ...bearer(TEST_TOKENS.ingest), 'content-type': 'application/json' },
      payload: events,
    });
    expect(res.statusCode).toBe(201);
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (query: string) =>
    t.app.inject({ method: 'GET', url: `/api/audit/export?${query}`, headers: bearer(TEST_TOKENS.viewer) });

  test('jsonl carries every entry in seq order, and each one verifies offline from the export alone', async () => {
    const res = await get('format=jsonl');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="cartae-audit-.*\.jsonl"$/);
    const entries = res.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Exported);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 2105 }, (_, i) => i));
    let prev = '0'.repeat(64);
    for (const e of entries) {
      const bytes = Buffer.from(e.canonical, 'base64');
      expect(leafHash(bytes).toString('hex')).toBe(e.leafHash);
      expect(e.hashPrev).toBe(prev);
      expect(chainHash(prev, bytes)).toBe(e.hashCurrent);
      prev = e.hashCurrent;
    }
  });

  test('json is one array, and the list filters apply', async () => {
    const res = await get('format=json&action=login');
    const entries = JSON.parse(res.body) as Exported[];
    expect(entries).toHaveLength(1052);
    expect(entries.every((e) => e.action === 'login')).toBe(true);
    expect(JSON.parse((await get('format=json&action=nothing')).body)).toEqual([]);
  });

  test('csv has a header, RFC 4180 quoting and no formula injection', async () => {
    const res = await get('format=csv&resource=bans');
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.body.split('\r\n');
    expect(lines[0]).toMatch(/^seq,id,timestamp,userId,username,action,resource,resourceId,/);
    expect(res.body).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(res.body).toContain('"said ""no"", twice\nthen left"');
    expect(lines.filter((l) => /^\d+,/.test(l))).toHaveLength(2105);
  });

  test('a bad filter is a 400 before anything is streamed', async () => {
    const res = await get('format=csv&ip=not-an-ip');
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/ip/);
    expect((await get('format=xml')).statusCode).toBe(400);
  });
});

test('csv cells', () => {
  expect(csvCell(null)).toBe('');
  expect(csvCell(42)).toBe('42');
  expect(csvCell(-1)).toBe('-1'); // numbers are data, not formulas
  expect(csvCell('-1+2')).toBe("'-1+2");
  expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
  expect(csvCell({ a: 'b,c' })).toBe('"{""a"":""b,c""}"');
});
