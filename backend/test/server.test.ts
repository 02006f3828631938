import { connect } from 'node:net';
import path from 'node:path';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { migrate } from '../src/db/migrate';
import { shutdown, startServer } from '../src/server';
import { captureLogger, tempDir, testDatabases, TEST_TOKENS } from './helpers';

test('graceful shutdown lets an in-flight request finish, then refuses new connections', async () => {
  const cwd = tempDir();
  const config = loadConfig({ DATA_DIR: path.join(cwd, 'data'), PORT: '0' }, { cwd });
  const db = await testDatabases[0]!.open();
  await migrate(db);
  const app = await buildApp({ config, db, tokens: TEST_TOKENS, logger: false });
  let release: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    // A route that waits, standing in for any slow request (a long audit export, say).
    app.get('/slow', { config: { access: 'public' } }, async () => {
      resolve();
      await new Promise<void>((r) => {
        release = r;
      });
      return { done: true };
    });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };

  const inFlight = fetch(`http://127.0.0.1:${port}/slow`).then(async (r) => ({
    status: r.status,
    body: await r.json(),
  }));
  await started;
  const closing = shutdown(app, db, 5000, captureLogger().logger);
  await new Promise((r) => setTimeout(r, 100));
  await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  release();
  await expect(inFlight).resolves.toEqual({ status: 200, body: { done: true } });
  await closing;
  await expect(db.ping()).rejects.toThrow(); // the database is closed last
});

test('startServer migrates, listens, reports its URL and stops cleanly', async () => {
  const cwd = tempDir();
  const config = loadConfig({ DATA_DIR: path.join(cwd, 'data'), PORT: '0' }, { cwd });
  const log = captureLogger();
  const server = await startServer(config, { logger: log.logger });
  try {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    const generated = log
      .lines()
      .filter((l) => typeof l.msg === 'string' && /generated the \w+ token stored in/.test(l.msg));
    expect(generated.map((l) => l.role)).toEqual(['viewer', 'admin', 'ingest']);
  } finally {
    await server.close();
  }
  expect(log.lines().some((l) => l.msg === 'cartae-secops stopped')).toBe(true);
});

test('a port already in use gives a clear error and leaves nothing open', async () => {
  const cwd = tempDir();
  const first = await startServer(loadConfig({ DATA_DIR: path.join(cwd, 'a'), PORT: '0' }, { cwd }), {
    logger: captureLogger().logger,
  });
  try {
    const port = new URL(first.url).port;
    const second = loadConfig({ DATA_DIR: path.join(cwd, 'b'), PORT: port }, { cwd });
    await expect(startServer(second, { logger: captureLogger().logger })).rejects.toThrow(
      `127.0.0.1:${port} is already in use; set PORT to another port`
    );
  } finally {
    await first.close();
  }
});

test('a client that connects and sends nothing is disconnected after the request timeout', async () => {
  const cwd = tempDir();
  const config = loadConfig({ DATA_DIR: path.join(cwd, 'data'), PORT: '0', REQUEST_TIMEOUT_MS: '1000' }, { cwd });
  const server = await startServer(config, { logger: captureLogger().logger });
  try {
    const { port } = new URL(server.url);
    const socket = connect(Number(port), '127.0.0.1');
    const startedAt = Date.now();
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n'); // headers never finished
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const elapsed = Date.now() - startedAt;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(5000);
  } finally {
    await server.close();
  }
});
