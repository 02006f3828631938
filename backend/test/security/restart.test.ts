import type { Database } from '../../src/db';
import { testDatabases, type TestApp } from '../helpers';
import { ev, post, securityApp, viewer } from './support';

const MIN = 60;
const IP = '203.0.113.50';

/** Three failed logins of IP at `secondsAgo` (the auth rule's threshold): the answer's decisions. */
async function offend(t: TestApp, secondsAgo: number) {
  const res = await post(t, [
    ev(IP, 'auth.login.failed', {}, secondsAgo),
    ev(IP, 'auth.login.failed', {}, secondsAgo),
    ev(IP, 'auth.login.failed', {}, secondsAgo),
  ]);
  expect(res.statusCode).toBe(200);
  return res.json().decisions as { banNumber: number; duration: number; until: string | null }[];
}

describe.each(testDatabases)('ban state across restarts and processes on $name', ({ open }) => {
  let db: Database;
  beforeEach(async () => {
    db = await open();
  });
  afterEach(async () => {
    await db.close();
  });

  /** An app on the shared database; closing it leaves the database open (a process restart). */
  const start = () => securityApp({ db });

  test('escalation and permanence survive restarts', async () => {
    // Bans an hour ago, 55 min ago, 45 min ago: each ended before the next (60 s, then 120 s), in event time.
    let t = await start();
    expect(await offend(t, 60 * MIN)).toEqual([expect.objectContaining({ banNumber: 1, duration: 60 })]);
    await t.app.close();

    t = await start();
    expect(await offend(t, 55 * MIN)).toEqual([expect.objectContaining({ banNumber: 2, duration: 120 })]);
    await t.app.close();

    t = await start();
    expect(await offend(t, 45 * MIN)).toEqual([expect.objectContaining({ banNumber: 3, duration: -1, until: null })]);
    await t.app.close();

    t = await start();
    try {
      const res = await post(t, [ev(IP), ev(IP, 'http.request', { status: 200 })]);
      expect(res.json().outcomes).toMatchObject({ blocked: 2 });
      const bans = await t.app.inject({ method: 'GET', url: '/api/soar/bans?state=active', headers: viewer });
      expect(bans.json().bans).toEqual([expect.objectContaining({ ip: IP, banNumber: 3, duration: -1, active: true })]);
      const history = await t.app.inject({ method: 'GET', url: '/api/soar/bans?state=history', headers: viewer });
      expect(history.json().bans.map((b: { banNumber: number }) => b.banNumber)).toEqual([2, 1]);
    } finally {
      await t.app.close();
    }
  });

  test('a temporary ban in force is still in force after a restart', async () => {
    let t = await start();
    expect(await offend(t, 0)).toHaveLength(1);
    await t.app.close();
    t = await start();
    try {
      const res = await post(t, [ev(IP, 'http.request', { status: 200 })]);
      expect(res.json().outcomes).toMatchObject({ blocked: 1 });
    } finally {
      await t.app.close();
    }
  });

  test('a process sees the bans, lifts and whitelist of another at its next refresh', async () => {
    const a = await start();
    const b = await start();
    try {
      expect(await offend(a, 0)).toHaveLength(1);
      // B has not refreshed: it still counts the address.
      expect((await post(b, [ev(IP)])).json().outcomes).toMatchObject({ counted: 1 });
      await b.app.security.refresh();
      expect((await post(b, [ev(IP)])).json().outcomes).toMatchObject({ blocked: 1 });
      // Escalation counts A's ban in B: B's next ban of the address is its second.
      const lifted = await a.app.inject({
        method: 'DELETE',
        url: `/api/security/ban/${IP}?reason=test`,
        headers: { authorization: `Bearer ${'a'.repeat(40)}` },
      });
      expect(lifted.statusCode).toBe(200);
      await b.app.security.refresh();
      expect(await offend(b, 0)).toEqual([expect.objectContaining({ banNumber: 2 })]);
      // A whitelist entry added through A applies in B after its refresh.
      const added = await a.app.inject({
        method: 'POST',
        url: '/api/soar/whitelist',
        headers: { authorization: `Bearer ${'a'.repeat(40)}` },
        payload: { ip: '198.51.100.0/24', reason: 'partner network' },
      });
      expect(added.statusCode).toBe(201);
      await b.app.security.refresh();
      expect((await post(b, [ev('198.51.100.7')])).json().outcomes).toMatchObject({ whitelisted: 1 });
    } finally {
      await a.app.close();
      await b.app.close();
    }
  });
});
