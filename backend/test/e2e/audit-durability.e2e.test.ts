/**
 * Durability of the audit trail with real processes on a real PostgreSQL: two `serve` processes writing
 * to one database, and a server killed with SIGKILL mid-stream. Needs TEST_DATABASE_URL (skipped without).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { VerifyReport } from '../../src/audit/verify';
import { BATCH_SIZES, startLoad, type Ack, type Batch } from './support/load';
import { removeScratch, scratchSchema, tempDir } from './support/scratch';
import { ADMIN_TOKEN, apiVerify, DATABASE_URL, killServers, serve, serverEnv, stop, verifyCli } from './support/server';
import { checkTrail, readTrail } from './support/trail';

(DATABASE_URL ? describe : describe.skip)('audit trail durability (PostgreSQL, real processes)', () => {
  let pool: pg.Pool;

  beforeAll(() => {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  });
  afterEach(async () => {
    await killServers();
    await removeScratch(pool);
  });
  afterAll(() => pool.end());

  test('two processes on one database: disjoint acknowledged ranges, a gap-free trail that verifies', async () => {
    const schema = scratchSchema();
    const timers = { AUDIT_CHECKPOINT_INTERVAL_MS: '1000' }; // both processes sign checkpoints during the run
    const env = serverEnv(schema, tempDir(), timers);
    const pair = [await serve(env), await serve(serverEnv(schema, tempDir(), timers))];
    const urls = pair.map((s) => s.url);
    const deadline = Date.now() + 3000;
    const posted = await startLoad('p', 8, urls, () => Date.now() >= deadline).done;
    expect(posted.failures).toEqual([]);
    expect(posted.acks).toHaveLength(posted.sent.length);
    const api = await apiVerify(urls[1] as string);
    expect(api).toMatchObject({ valid: true });
    expect(api.checked).toBe(api.treeSize);
    // Both processes sign the tree head at the same moment, as their timers may (asserted last, below).
    const checkpointStatuses = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const res = await fetch(`${urls[i % 2]}/api/audit/checkpoint`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        });
        await res.arrayBuffer();
        return res.status;
      })
    );
    for (const server of pair) await stop(server);

    const trail = await readTrail(pool, schema);
    const { problems, captured } = checkTrail(trail, posted.sent, posted.acks);
    expect(problems).toEqual([]);
    expect(captured).toBe(posted.sent.length); // each request's own entry, flushed at shutdown
    // Both processes wrote, interleaved: seq order switches between them, which only the shared head allows.
    const byServer = [...posted.acks].sort((a, b) => a.response.firstSeq - b.response.firstSeq).map((a) => a.url);
    expect(byServer.filter((url, i) => i > 0 && url !== byServer[i - 1]).length).toBeGreaterThan(10);
    expect(new Set(posted.sent.map((b) => b.size))).toEqual(new Set(BATCH_SIZES));

    const cli = await verifyCli(env);
    expect(cli.report).toMatchObject({ valid: true, checked: trail.rows.length, treeSize: trail.rows.length });
    expect((cli.report as VerifyReport).checkpointsChecked).toBeGreaterThan(1);
    expect(cli.code).toBe(0);
    // Signing a tree head that is already signed returns that checkpoint, even when another request or
    // process signs it at the same moment.
    expect({ checkpointStatuses }).toEqual({ checkpointStatuses: checkpointStatuses.map(() => 201) });
  }, 90_000);

  test('SIGKILL mid-stream loses no acknowledged entry, and a new process continues the chain', async () => {
    const schema = scratchSchema();
    const env = serverEnv(schema, tempDir());
    const sent: Batch[] = [];
    const acks: Ack[] = [];
    // Four kills, one delay drawn from each quarter of 100-800 ms.
    const delays = [0, 1, 2, 3].map((q) => 100 + q * 175 + Math.floor(Math.random() * 175));
    let size = 0;
    for (const [round, delay] of delays.entries()) {
      const server = await serve(env);
      // One batch first, so that the stream starts on a process that has written once.
      const warmUp = await startLoad(`w${round}`, 1, [server.url], (k) => k >= 1).done;
      expect(warmUp.failures).toEqual([]);
      sent.push(...warmUp.sent);
      acks.push(...warmUp.acks);
      let killed = false;
      const stream = startLoad(`k${round}`, 6, [server.url], () => killed);
      await sleep(delay);
      // Mid-stream: batches were acknowledged before the kill, and others were in flight.
      const { sent: sentSoFar, acks: ackedSoFar, failures } = stream.result;
      const context = `round ${round}, killed after ${delay} ms`;
      expect([context, ackedSoFar.length > 0, sentSoFar.length > ackedSoFar.length + failures.length]).toEqual([
        context,
        true,
        true,
      ]);
      killed = true;
      server.child.kill('SIGKILL');
      expect(await server.exited).toEqual({ code: null, signal: 'SIGKILL' });
      const streamed = await stream.done;
      sent.push(...streamed.sent);
      acks.push(...streamed.acks);
      // The new process continued from where the previous one stopped.
      expect(Math.min(...[...warmUp.acks, ...streamed.acks].map((a) => a.response.firstSeq))).toBeGreaterThanOrEqual(
        size
      );

      const trail = await readTrail(pool, schema);
      expect([context, checkTrail(trail, sent, acks).problems]).toEqual([context, []]);
      const cli = await verifyCli(env);
      expect([context, cli.code, cli.report]).toEqual([
        context,
        0,
        expect.objectContaining({ valid: true, treeSize: trail.rows.length }),
      ]);
      size = trail.rows.length;
    }

    const server = await serve(env);
    const after = await startLoad('after', 3, [server.url], (k) => k >= 4).done;
    expect(after.failures).toEqual([]);
    expect(Math.min(...after.acks.map((a) => a.response.firstSeq))).toBeGreaterThanOrEqual(size);
    expect(await apiVerify(server.url)).toMatchObject({ valid: true });
    // A checkpoint signed now covers entries written by the killed processes too.
    const checkpoint = await fetch(`${server.url}/api/audit/checkpoint`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(checkpoint.status).toBe(201);
    await stop(server);
    const trail = await readTrail(pool, schema);
    expect(checkTrail(trail, [...sent, ...after.sent], [...acks, ...after.acks]).problems).toEqual([]);
    const cli = await verifyCli(env);
    expect(cli.report).toMatchObject({ valid: true, treeSize: trail.rows.length });
    expect((cli.report as VerifyReport).checkpointsChecked).toBeGreaterThan(0);
    expect(cli.code).toBe(0);
  }, 90_000);
});
