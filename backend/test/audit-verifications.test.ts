import { VerifySchedule } from '../src/audit/verify-schedule';
import { latestWholeVerification } from '../src/audit/verifications';
import { bearer, createTestApp, postAuditEvents, testDatabases, TEST_TOKENS, type TestApp } from './helpers';

const viewer = bearer(TEST_TOKENS.viewer);

async function seed(t: TestApp, n: number): Promise<void> {
  await postAuditEvents(
    t,
    Array.from({ length: n }, (_, i) => ({
      action: 'ban.create',
      resource: 'bans',
      resourceId: `${i}`,
      status: 'success',
    }))
  );
}

async function get(t: TestApp, url: string) {
  const res = await t.app.inject({ method: 'GET', url, headers: viewer });
  expect(res.statusCode).toBe(200);
  return res.json();
}

/** The value of a metric without labels in the exposition text, or undefined when it has no sample. */
async function metric(t: TestApp, name: string): Promise<number | undefined> {
  const res = await t.app.inject({ method: 'GET', url: '/metrics' });
  const line = res.body.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/** Changes a stored entry behind the WORM trigger, as a superuser could. */
async function tamper(t: TestApp, seq: number): Promise<void> {
  await t.db.transaction(async (tx) => {
    await tx.exec('SET LOCAL session_replication_role = replica');
    await tx.query(`UPDATE audit_log SET canonical = convert_to('{"x":1}', 'UTF8') WHERE seq = $1`, [seq]);
  });
}

describe.each(testDatabases)('audit verifications on $name', ({ open }) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ db: await open(), env: { AUDIT_CAPTURE_REQUESTS: 'false' } });
  });
  afterEach(async () => {
    await t.close();
  });

  test('before any run the status is unknown, overdue, and the metrics have no sample', async () => {
    expect(await get(t, '/api/audit/integrity')).toEqual({ status: 'unknown', overdue: true, verifyIntervalHours: 0 });
    expect(await get(t, '/api/audit/verifications')).toEqual({ items: [] });
    expect(await metric(t, 'audit_log_integrity_check_result')).toBeUndefined();
    expect(await metric(t, 'audit_log_last_verify_timestamp_seconds')).toBeUndefined();
  });

  test('each API run is recorded with who ran it; only whole-trail runs set the status', async () => {
    await seed(t, 5);
    const before = Date.now() / 1000;
    const res = await t.app.inject({ method: 'POST', url: '/api/audit/verify', headers: viewer });
    expect(res.json()).toMatchObject({ valid: true, checked: 5 });
    const partial = await t.app.inject({ method: 'POST', url: '/api/audit/verify?fromSeq=1&toSeq=2', headers: viewer });
    expect(partial.json()).toMatchObject({ valid: true, checked: 2 });

    const { items } = await get(t, '/api/audit/verifications?limit=5');
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ source: 'api', whole: false, fromSeq: 1, toSeq: 2, checked: 2, valid: true });
    expect(items[1]).toMatchObject({ source: 'api', actor: 'viewer:token:viewer', whole: true, treeSize: 5 });
    expect(items[1].rootHash).toMatch(/^[0-9a-f]{64}$/);

    const integrity = await get(t, '/api/audit/integrity');
    expect(integrity).toMatchObject({ status: 'valid', overdue: false, latest: { id: items[1].id } });
    expect(await metric(t, 'audit_log_integrity_check_result')).toBe(1);
    expect(await metric(t, 'audit_log_last_verify_timestamp_seconds')).toBeGreaterThanOrEqual(Math.floor(before));
  });

  test('a tampered trail turns the status and the metric to invalid, with the first bad seq', async () => {
    await seed(t, 6);
    await t.app.inject({ method: 'POST', url: '/api/audit/verify', headers: viewer });
    await tamper(t, 3);
    const res = await t.app.inject({ method: 'POST', url: '/api/audit/verify', headers: viewer });
    expect(res.json()).toMatchObject({ valid: false, firstInvalid: { seq: 3 } });
    const integrity = await get(t, '/api/audit/integrity');
    expect(integrity).toMatchObject({ status: 'invalid', latest: { valid: false, firstInvalid: { seq: 3 } } });
    expect(integrity.latest.firstInvalid.reason).toContain('does not match');
    expect(await metric(t, 'audit_log_integrity_check_result')).toBe(0);
  });

  test('bad input is refused', async () => {
    for (const url of ['/api/audit/verifications?limit=0', '/api/audit/verifications?limit=abc']) {
      expect((await t.app.inject({ method: 'GET', url, headers: viewer })).statusCode).toBe(400);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/audit/integrity' })).statusCode).toBe(401);
  });

  test('the schedule verifies when no whole-trail run is recent enough, and not otherwise', async () => {
    await seed(t, 4);
    const results: boolean[] = [];
    const schedule = new VerifySchedule(t.db, t.app.auditKey, {
      intervalMs: 3_600_000,
      onResult: (r) => results.push(r.valid),
    });
    const first = await schedule.check();
    expect(first).toMatchObject({ source: 'schedule', actor: 'backend', whole: true, valid: true, checked: 4 });
    expect(await schedule.check()).toBeUndefined(); // just verified
    const later = await schedule.check(Date.now() + 3_600_001);
    expect(later?.id).toBeGreaterThan(first?.id ?? Infinity);
    expect(results).toEqual([true, true]);
    expect((await latestWholeVerification(t.db))?.id).toBe(later?.id);
    await schedule.stop();
  });

  test('the schedule starts by itself and stops with the app', async () => {
    await seed(t, 3);
    const records: number[] = [];
    const schedule = new VerifySchedule(t.db, t.app.auditKey, {
      intervalMs: 3_600_000,
      initialDelayMs: 10,
      onResult: (r) => records.push(r.checked),
    });
    schedule.start();
    for (let i = 0; i < 200 && records.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    await schedule.stop();
    expect(records).toEqual([3]);
  });
});

if (process.env.TEST_DATABASE_URL) {
  const postgres = testDatabases.find((d) => d.name === 'postgres');
  test('on PostgreSQL, of two processes checking at once, one verifies', async () => {
    const t = await createTestApp({ db: await postgres?.open(), env: { AUDIT_CAPTURE_REQUESTS: 'false' } });
    try {
      await seed(t, 3);
      const options = { intervalMs: 3_600_000 };
      const a = new VerifySchedule(t.db, t.app.auditKey, options);
      const b = new VerifySchedule(t.db, t.app.auditKey, options);
      const runs = await Promise.all([a.check(), b.check(), a.check(), b.check()]);
      expect(runs.filter((r) => r !== undefined)).toHaveLength(1);
      expect((await get(t, '/api/audit/verifications')).items).toHaveLength(1);
    } finally {
      await t.close();
    }
  });
}
