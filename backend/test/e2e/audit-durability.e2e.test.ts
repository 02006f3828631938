/**
 * Durability of the audit trail with real processes on a real PostgreSQL: two `serve` processes writing
 * to one database, and a server killed with SIGKILL mid-stream. Needs TEST_DATABASE_URL (skipped without).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Static } from '@sinclair/typebox';
import type { VerifyReport } from '../../src/audit/verify';
import type { IngestResponse } from '../../src/schemas/audit';
import type { VerifyResponse } from '../../src/schemas/audit-proof';

const BIN = path.resolve(__dirname, '../../bin/cartae-secops.js');
const DATABASE_URL = process.env.TEST_DATABASE_URL;
const INGEST_TOKEN = randomBytes(32).toString('hex');
const ADMIN_TOKEN = randomBytes(32).toString('hex');
/** One key for every process, so checkpoints signed by either verify with it. */
const SIGNING_KEY = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** Cycled through by the clients: single events, one-statement appends (< 64 entries) and COPY (>= 64). */
const BATCH_SIZES = [1, 3, 500, 12, 63, 64, 1, 250, 7, 100, 2, 499, 65, 30];
const ACTION = 'e2e.durability';

interface Batch {
  marker: string;
  size: number;
}
interface Ack {
  batch: Batch;
  url: string;
  response: IngestResponse;
}
interface Load {
  sent: Batch[];
  acks: Ack[];
  failures: string[];
}
interface Server {
  child: ChildProcessWithoutNullStreams;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}
interface StoredRow {
  seq: number;
  action: string;
  resource_id: string | null;
  method: string | null;
  path: string | null;
}

const servers = new Set<Server>();
const scratch: { schemas: string[]; dirs: string[] } = { schemas: [], dirs: [] };

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'secops-durability-'));
  scratch.dirs.push(dir);
  return dir;
}

function serverEnv(schema: string, dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: DATABASE_URL ?? '',
    DATABASE_SCHEMA: schema,
    DATA_DIR: dataDir,
    PORT: '0',
    SECOPS_INGEST_TOKEN: INGEST_TOKEN,
    SECOPS_ADMIN_TOKEN: ADMIN_TOKEN,
    AUDIT_SIGNING_KEY: SIGNING_KEY,
    RATE_LIMIT_MAX: '10000000',
    ...extra,
  };
}

/** Starts `cartae-secops serve` (cwd: its data folder, so no YAML file applies) and waits for its URL. */
function serve(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'serve'], { env, cwd: env.DATA_DIR });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-200_000); // the tail, for failure messages
  };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal }))
  );
  servers.add({ child, url: '', exited, output: () => output });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      keep(chunk);
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] as string, exited, output: () => output });
      }
    });
    child.stderr.on('data', keep);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}

/** `cartae-secops audit verify --json` against the same database and key. */
function verifyCli(env: Record<string, string>): Promise<{ code: number | null; report: VerifyReport | string }> {
  const child = spawn(process.execPath, [BIN, 'audit', 'verify', '--json'], { env, cwd: env.DATA_DIR });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      try {
        resolve({ code, report: JSON.parse(stdout) as VerifyReport });
      } catch {
        resolve({ code, report: `${stdout}${stderr}` });
      }
    })
  );
}

function events(batch: Batch): unknown[] {
  return Array.from({ length: batch.size }, (_, i) => ({
    action: ACTION,
    resource: 'durability',
    resourceId: `${batch.marker}:${i}`,
    status: i % 5 === 4 ? 'failure' : 'success',
    metadata: { index: i },
  }));
}

/**
 * `clients` concurrent clients, each posting one batch after another (client c, round k to urls[(c + k) %
 * n]) until `stop(k)`. Every 201 whose body arrived is an acknowledgement, whenever it arrived. `result`
 * fills in as responses come; `done` resolves once every client stopped.
 */
function startLoad(
  tag: string,
  clients: number,
  urls: string[],
  stop: (round: number) => boolean
): { result: Load; done: Promise<Load> } {
  const result: Load = { sent: [], acks: [], failures: [] };
  const client = async (c: number): Promise<void> => {
    for (let k = 0; !stop(k); k += 1) {
      const batch = { marker: `${tag}-c${c}-b${k}`, size: BATCH_SIZES[(c * 5 + k) % BATCH_SIZES.length] as number };
      const url = urls[(c + k) % urls.length] as string;
      result.sent.push(batch);
      try {
        const res = await fetch(`${url}/api/audit/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(events(batch)),
        });
        const text = await res.text();
        if (res.status === 201) result.acks.push({ batch, url, response: JSON.parse(text) as IngestResponse });
        else result.failures.push(`${batch.marker}: ${res.status} ${text}`);
      } catch (err) {
        result.failures.push(`${batch.marker}: ${(err as Error).message}`);
      }
    }
  };
  const done = Promise.all(Array.from({ length: clients }, (_, c) => client(c))).then(() => result);
  return { result, done };
}

async function readTrail(pool: pg.Pool, schema: string): Promise<{ rows: StoredRow[]; treeSize: number }> {
  const rows = await pool.query<StoredRow>(
    `SELECT seq::int AS seq, action, resource_id, method, path FROM ${schema}.audit_log ORDER BY seq`
  );
  const head = await pool.query<{ tree_size: number }>(`SELECT tree_size::int AS tree_size FROM ${schema}.audit_head`);
  return { rows: rows.rows, treeSize: head.rows[0]?.tree_size ?? -1 };
}

/**
 * Everything the trail must satisfy, as a list of problems (empty when sound): seqs exactly 0..N-1 and the
 * head at N; acknowledged ranges disjoint, each holding its batch in order; every batch stored whole or not at
 * all; every other entry is a request's own entry. Also counts the entries of POST /api/audit/events requests.
 */
function checkTrail(
  trail: { rows: StoredRow[]; treeSize: number },
  sent: Batch[],
  acks: Ack[]
): { problems: string[]; captured: number } {
  const problems: string[] = [];
  const { rows, treeSize } = trail;
  const gap = rows.findIndex((row, i) => row.seq !== i);
  if (gap !== -1) problems.push(`seq ${gap} is missing (found ${rows[gap]?.seq} at position ${gap})`);
  if (treeSize !== rows.length) problems.push(`audit_head.tree_size is ${treeSize}, audit_log holds ${rows.length}`);

  const sorted = [...acks].sort((a, b) => a.response.firstSeq - b.response.firstSeq);
  sorted.forEach(({ batch, response }, i) => {
    const previous = sorted[i - 1];
    if (previous && response.firstSeq <= previous.response.lastSeq) {
      problems.push(`ranges of ${previous.batch.marker} and ${batch.marker} overlap`);
    }
    if (response.accepted !== batch.size || response.lastSeq - response.firstSeq + 1 !== batch.size) {
      problems.push(`${batch.marker} (${batch.size} events) was answered ${JSON.stringify(response)}`);
    }
    for (let j = 0; j < batch.size; j += 1) {
      const found = rows[response.firstSeq + j];
      if (found?.seq !== response.firstSeq + j || found.resource_id !== `${batch.marker}:${j}`) {
        problems.push(
          `acknowledged ${batch.marker} [${response.firstSeq}, ${response.lastSeq}]: seq ${response.firstSeq + j} holds ${found ? `${found.action} ${found.resource_id}` : 'nothing'}`
        );
        break;
      }
    }
  });

  const stored = new Map<string, number[]>(); // marker -> seqs of its entries, in seq order
  let captured = 0;
  for (const row of rows) {
    if (row.action === ACTION && row.resource_id !== null) {
      const marker = row.resource_id.slice(0, row.resource_id.lastIndexOf(':'));
      stored.set(marker, [...(stored.get(marker) ?? []), row.seq]);
    } else if (row.method === 'POST' && row.path === '/api/audit/events') {
      captured += 1;
    } else if (row.method === null || !row.path?.startsWith('/api/audit/')) {
      problems.push(`seq ${row.seq} is neither a posted event nor a request entry: ${JSON.stringify(row)}`);
    }
  }
  const sizes = new Map(sent.map((batch) => [batch.marker, batch.size]));
  for (const [marker, seqs] of stored) {
    const size = sizes.get(marker);
    const contiguous = seqs.every((seq, j) => seq === (seqs[0] as number) + j);
    const ordered = seqs.every((seq, j) => rows[seq]?.resource_id === `${marker}:${j}`);
    if (seqs.length !== size || !contiguous || !ordered) {
      problems.push(`${marker} (${size} events) is stored partially or out of order at seqs ${seqs.join(',')}`);
    }
  }
  const shown = problems.length > 20 ? [...problems.slice(0, 20), `and ${problems.length - 20} more`] : problems;
  return { problems: shown, captured };
}

async function apiVerify(url: string): Promise<Static<typeof VerifyResponse>> {
  const res = await fetch(`${url}/api/audit/verify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Static<typeof VerifyResponse>;
}

async function stop(server: Server): Promise<void> {
  server.child.kill('SIGTERM');
  expect(await server.exited).toEqual({ code: 0, signal: null });
}

(DATABASE_URL ? describe : describe.skip)('audit trail durability (PostgreSQL, real processes)', () => {
  let pool: pg.Pool;

  beforeAll(() => {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  });
  afterEach(async () => {
    for (const { child } of servers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all([...servers].map((server) => server.exited));
    servers.clear();
    for (const schema of scratch.schemas.splice(0)) await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    for (const dir of scratch.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  afterAll(() => pool.end());

  function scratchSchema(): string {
    const schema = `e2e_${randomBytes(6).toString('hex')}`;
    scratch.schemas.push(schema);
    return schema;
  }

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
