import { createTestApp, testDatabases } from './helpers';

describe.each(testDatabases)('/health and /ready on $name', ({ open }) => {
  test('ready when the database answers and every migration is applied', async () => {
    const t = await createTestApp({ db: await open() });
    try {
      const res = await t.app.inject({ method: 'GET', url: '/ready' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'ready', database: { reachable: true }, migrations: { pending: [] } });
      expect(res.json().migrations.applied).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });

  test('not ready (503) while migrations are pending', async () => {
    const db = await open();
    const t = await createTestApp({ db, migrate: false });
    try {
      const res = await t.app.inject({ method: 'GET', url: '/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json().status).toBe('not_ready');
      expect(res.json().migrations.pending).toContain('0001_instances');
    } finally {
      await t.app.close();
      await db.close();
    }
  });

  test('not ready (503) when the database is down, while /health still answers', async () => {
    const t = await createTestApp({ db: await open() });
    await t.db.close();
    const ready = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'not_ready', database: { reachable: false } });
    expect(ready.json().database.error).toEqual(expect.any(String));
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json().status).toBe('ok');
    await t.app.close();
  });
});
