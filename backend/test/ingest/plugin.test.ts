import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import type { Database } from '../../src/db';
import { migrate } from '../../src/db/migrate';
import ingestPlugin from '../../src/plugins/ingest';
import metricsPlugin from '../../src/plugins/metrics';
import type { IngestSink } from '../../src/ingest/types';
import Fastify from 'fastify';
import { bearer, TEST_TOKENS, testConfig, testDatabases, type TestDatabase } from '../helpers';
import { append, lines, range, RecordingSink, tempDir, waitFor } from './support';

describe('ingest plugin and GET /api/ingest/status', () => {
  let db: Database;
  beforeAll(async () => {
    db = await (testDatabases[0] as TestDatabase).open();
    await migrate(db);
  });
  afterAll(async () => {
    await db.close();
  });

  /** The app of app.ts with `yaml` as its configuration file, its tailed events going to `sink`. */
  async function appWith(yaml: string, sink?: IngestSink): Promise<FastifyInstance> {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'soar.yml'), yaml);
    const config = testConfig({ SOAR_CONFIG: path.join(dir, 'soar.yml'), DATA_DIR: path.join(dir, 'data') });
    return buildApp({ config, db, tokens: TEST_TOKENS, logger: false, ingestSink: sink });
  }

  test('tails the configured files once ready, shows them to viewers, exports metrics, stops on close', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    writeFileSync(log, lines(0, 3));
    const sink = new RecordingSink();
    const app = await appWith(
      `ingest:\n  files: [{ path: ${log}, jail: api-auth }]\n  pollIntervalMs: 20\n`,
      sink.sink
    );
    try {
      await app.ready();
      await waitFor('3 events', () => sink.events.length === 3);
      append(log, lines(3, 5));
      await waitFor('5 events', () => sink.events.length === 5);
      expect(sink.numbers).toEqual(range(0, 5));
      expect(sink.events.every((e) => e.jail === 'api-auth')).toBe(true);

      const status = await app.inject({ url: '/api/ingest/status', headers: bearer(TEST_TOKENS.viewer) });
      expect(status.statusCode).toBe(200);
      const body = status.json();
      expect(body).toMatchObject({
        enabled: true,
        stateFile: expect.stringMatching(/data\/ingest\/positions\.json$/),
        files: [{ path: log, jail: 'api-auth', lines: 5, events: 5, rejected: {}, lastError: null }],
      });
      expect(body.files[0].files).toEqual([
        { inode: expect.any(String), size: 470, offset: 470, readOffset: 470, rotated: false },
      ]);

      expect((await app.inject({ url: '/api/ingest/status' })).statusCode).toBe(401);
      const asIngest = await app.inject({ url: '/api/ingest/status', headers: bearer(TEST_TOKENS.ingest) });
      expect(asIngest.statusCode).toBe(403);

      const metrics = await app.inject({ url: '/metrics' });
      expect(metrics.body).toContain(`ingest_events_total{file="${log}"} 5`);
      expect(metrics.body).toContain(`ingest_lag_seconds{file="${log}"}`);
    } finally {
      await app.close();
    }
    append(log, lines(5, 6));
    await new Promise((resolve) => setTimeout(resolve, 100)); // five polls: stopped tailers read nothing
    expect(sink.events).toHaveLength(5);
  });

  test('without ingest.files nothing is tailed and the status says so', async () => {
    const app = await appWith('logging: { level: info }\n');
    try {
      const status = await app.inject({ url: '/api/ingest/status', headers: bearer(TEST_TOKENS.admin) });
      expect(status.json()).toEqual({ enabled: false, stateFile: null, files: [] });
    } finally {
      await app.close();
    }
  });

  test('files configured but no pipeline given: start-up fails with a clear message', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'soar.yml'), 'ingest:\n  files: [/tmp/x.jsonl]\n');
    const app = Fastify();
    app.decorate('config', testConfig({ SOAR_CONFIG: path.join(dir, 'soar.yml'), DATA_DIR: path.join(dir, 'data') }));
    await app.register(metricsPlugin);
    try {
      await expect(app.register(ingestPlugin, {}).ready()).rejects.toThrow(
        'ingest.files lists files but no pipeline was given'
      );
    } finally {
      await app.close().catch(() => undefined);
    }
  });
});
