import { chainHash, leafHash, loadVerifyKey } from '../src/audit';
import { csvCell } from '../src/audit/export';
import { verifyExportText } from '../src/audit/export-verify';
import type { Queryable } from '../src/db';
import { bearer, createTestApp, postAuditEvents, testDatabases, TEST_TOKENS, type TestApp } from './helpers';

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
    await postAuditEvents(t, events);
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

  test('order=asc is the default order, anything else is a 400; without a checkpoint there is no trailer', async () => {
    const asc = await get('format=jsonl&order=asc');
    expect(asc.statusCode).toBe(200);
    expect(asc.body).toBe((await get('format=jsonl')).body);
    expect(asc.body).not.toContain('"type":"checkpoint"');
    expect((await get('format=jsonl&order=desc')).statusCode).toBe(400);
  });
});

describe.each(testDatabases)('signed jsonl export on $name', ({ open }) => {
  let t: TestApp;
  const admin = bearer(TEST_TOKENS.admin);
  beforeEach(async () => {
    t = await createTestApp({ db: await open() });
    t.app.config.audit.excludePaths.push('/api'); // only the seeded entries
  });
  afterEach(async () => {
    await t.close();
  });

  async function seed(events: Record<string, unknown>[]): Promise<void> {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/audit/events',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: events,
    });
    expect(res.statusCode).toBe(201);
  }
  const events = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => ({
      action: 'ban.create',
      resource: 'bans',
      resourceId: `id-${from + i}`,
      ip: (from + i) % 3 === 0 ? '2001:DB8:0:0::7' : `198.51.100.${(from + i) % 250}`,
      method: 'post',
      statusCode: 201,
      responseTime: 1.25 + i,
      query: { page: String(i) },
      body: { password: 'p', list: [1, 2.5, { deep: true }] },
      metadata: { source: 'test', ratio: 0.1 * i },
      status: 'success',
    }));
  const get = (query: string) =>
    t.app.inject({ method: 'GET', url: `/api/audit/export?${query}`, headers: bearer(TEST_TOKENS.viewer) });
  const publicKey = async () =>
    loadVerifyKey((await t.app.inject({ method: 'GET', url: '/api/audit/public-key', headers: admin })).body);
  const checkpoint = async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/audit/checkpoint', headers: admin });
    expect(res.statusCode).toBe(201);
    return res.json<Record<string, unknown>>();
  };

  test('jsonl ends with the latest signed checkpoint and verifies offline up to its root', async () => {
    await seed(events(40));
    const signed = await checkpoint();
    await seed(events(5, 40));
    const body = (await get('format=jsonl')).body;
    const lines = body.trimEnd().split('\n');
    expect(lines).toHaveLength(46);
    expect(JSON.parse(lines[45] as string)).toEqual({ type: 'checkpoint', ...signed });
    const report = verifyExportText(body, { publicKey: await publicKey() });
    expect(report).toMatchObject({
      valid: true,
      entries: 45,
      rehashed: 45,
      coverage: 'checkpoint',
      checkpoint: { treeSize: 40, signature: 'valid', root: 'match' },
    });
    expect(report.notProven).toEqual([expect.stringMatching(/^seq 40\.\.44 came after the checkpoint/)]);
    // csv and json have no place for it; a filtered export carries it but cannot reach the root.
    expect((await get('format=json')).body).not.toContain('"type":"checkpoint"');
    expect((await get('format=csv')).body).not.toContain('checkpoint');
    const filtered = verifyExportText((await get('format=jsonl&ip=198.51.100.0/24')).body, {
      publicKey: await publicKey(),
    });
    expect(filtered).toMatchObject({ valid: true, coverage: 'entries', checkpoint: { root: 'not-covered' } });
  });

  test('archived entries export without canonical bytes and are reported, not flagged', async () => {
    await seed(events(6).map((e, i) => ({ ...e, timestamp: `2015-01-0${i + 1}T00:00:00.000Z` })));
    await checkpoint();
    await t.db.query('UPDATE audit_settings SET retention_days = 1');
    await t.db.query(
      `UPDATE audit_log SET archived_at = now(), canonical = NULL, query = NULL, body = NULL, metadata = NULL,
         user_agent = NULL, error_message = NULL, ip_address = NULL, user_id = NULL, username = NULL, path = NULL,
         resource_id = NULL WHERE seq IN (1, 2)`
    );
    const report = verifyExportText((await get('format=jsonl')).body, { publicKey: await publicKey() });
    expect(report).toMatchObject({ valid: true, rehashed: 4, archived: 2, coverage: 'checkpoint' });
    expect(report.notProven).toEqual([expect.stringMatching(/^2 archived entries/)]);
  });

  test('a column changed in the database while canonical is left alone shows in the export', async () => {
    await seed(events(8));
    await checkpoint();
    await t.db.transaction(async (tx: Queryable) => {
      await tx.exec('SET LOCAL session_replication_role = replica'); // superuser bypass of the WORM triggers
      await tx.query("UPDATE audit_log SET resource_id = 'id-forged' WHERE seq = 5");
    });
    const report = verifyExportText((await get('format=jsonl')).body, { publicKey: await publicKey() });
    expect(report).toMatchObject({
      valid: false,
      firstInvalid: { line: 6, seq: 5, reason: 'resourceId differs from the hashed entry' },
    });
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
