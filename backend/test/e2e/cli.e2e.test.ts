import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PgliteDatabase } from '../../src/db';

/** The installed command, exactly as `npm start` and operators run it. */
const BIN = path.resolve(__dirname, '../../bin/cartae-secops.js');

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
  return env;
}

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { env: cleanEnv(env), encoding: 'utf8', timeout: 60_000 });
}

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'secops-e2e-'));
}

/** Starts `cartae-secops serve` and resolves with its URL once it logs that it listens. */
function serve(
  env: Record<string, string>
): Promise<{ child: ChildProcessWithoutNullStreams; url: string; output: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve'], { env: cleanEnv(env) });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 45_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] as string, output: () => output });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe('cartae-secops command', () => {
  test.each([[[]], [['serve']], [['migrate']]])('%j --help prints usage and exits 0', (args) => {
    const result = run([...args, '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: cartae-secops/);
    if (args.length === 0) expect(result.stdout).toMatch(/serve.*\n.*migrate/s);
    if (args[0] === 'serve') expect(result.stdout).toContain('--port <port>');
  });

  test('migrate applies the schema once; the second run is a no-op', () => {
    const dataDir = tempDir();
    const shipped = readdirSync(path.resolve(__dirname, '../../migrations'))
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .map((f) => f.replace(/\.sql$/, ''));
    const first = run(['migrate', '--data-dir', dataDir]);
    expect(first.stderr).toBe('');
    expect(first.stdout.split('\n').slice(1)).toEqual([
      ...shipped.map((name) => `applied  ${name}`),
      `${shipped.length} migration(s) applied`,
      '',
    ]);
    const second = run(['migrate'], { DATA_DIR: dataDir });
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/schema is up to date\n$/);
    const status = run(['migrate', '--status', '--data-dir', dataDir]);
    expect(status.stdout).toMatch(/applied +0001_instances .*\n/);
    expect(status.stdout).toMatch(new RegExp(`\\n${shipped.length} applied, 0 pending\\n$`));
  });

  test('invalid configuration stops start-up with a message naming the key', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'bad.yml'), 'api:\n  rateLimit:\n    max: -1\n');
    const badFile = run(['serve', '--config', path.join(dir, 'bad.yml'), '--data-dir', dir]);
    expect(badFile.status).toBe(78);
    expect(badFile.stderr).toContain('invalid configuration: bad.yml: api.rateLimit.max');
    const badPort = run(['serve', '--port', 'eighty', '--data-dir', dir]);
    expect(badPort.status).toBe(78);
    expect(badPort.stderr).toContain('invalid configuration: PORT must be an integer');
  });

  test('serve answers /health, /docs, /openapi.json and /metrics, then stops on SIGTERM', async () => {
    const dataDir = tempDir();
    const server = await serve({ DATA_DIR: dataDir, PORT: '0' });
    try {
      const health = await fetch(`${server.url}/health`);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      const docs = await fetch(`${server.url}/docs/`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('swagger-ui');
      const openapi = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(openapi.paths)).toEqual(
        expect.arrayContaining(['/health', '/ready', '/metrics', '/api/system/info'])
      );
      const metrics = await fetch(`${server.url}/metrics`);
      expect(await metrics.text()).toContain('http_requests_total{method="GET",route="/health",status="200"} 1');
      expect(server.output()).toContain(`generated the admin token stored in ${dataDir}/secrets/admin.token`);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await exited(server.child)).toBe(0);
    expect(server.output()).toContain('cartae-secops stopped');
  });

  test('audit verify: exit 0 on the trail a server wrote, 1 once a row is altered, 78 without a key', async () => {
    const dataDir = tempDir();
    const token = 'e'.repeat(64);
    const server = await serve({ DATA_DIR: dataDir, PORT: '0', SECOPS_INGEST_TOKEN: token });
    try {
      const posted = await fetch(`${server.url}/api/audit/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(
          Array.from({ length: 50 }, (_, i) => ({ action: 'login', resource: `r${i}`, status: 'success' }))
        ),
      });
      expect(posted.status).toBe(201);
      const checkpoint = await fetch(`${server.url}/api/audit/checkpoint`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${readFileSync(path.join(dataDir, 'secrets', 'admin.token'), 'utf8').trim()}`,
        },
      });
      expect(checkpoint.status).toBe(201);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await exited(server.child)).toBe(0);

    const valid = run(['audit', 'verify'], { DATA_DIR: dataDir });
    expect(valid.stderr).toMatch(/verify \d+\/\d+ \(100\.0%\) .* entries\/s, ETA 0s/);
    expect(valid.stdout).toMatch(/^valid: \d+ entries checked .* 1 signed checkpoint\(s\) match/);
    expect(valid.status).toBe(0);
    const json = run(['audit', 'verify', '--json'], { DATA_DIR: dataDir });
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, checkpointsChecked: 1 });

    // Tamper as the database owner would: bypass the append-only trigger and change one field.
    const db = await PgliteDatabase.open({ dataDir, schema: 'public' });
    await db.exec(
      "ALTER TABLE audit_log DISABLE TRIGGER audit_log_worm_row; UPDATE audit_log SET canonical = convert_to(replace(convert_from(canonical, 'UTF8'), 'r7\"', 'r8\"'), 'UTF8') WHERE resource = 'r7'; ALTER TABLE audit_log ENABLE TRIGGER audit_log_worm_row"
    );
    await db.close();
    const invalid = run(['audit', 'verify'], { DATA_DIR: dataDir });
    expect(invalid.stdout).toMatch(/^INVALID at seq \d+: /);
    expect(invalid.status).toBe(1);
    const readOnly = run(['audit', 'verify', '--no-record'], { DATA_DIR: dataDir });
    expect(readOnly.status).toBe(1);

    // Each recorded run counts for the integrity status, whoever ran it; --no-record left no trace.
    const records = await PgliteDatabase.open({ dataDir, schema: 'public' });
    const runs = await records.query<{ source: string; valid: boolean; actor: string }>(
      'SELECT source, valid, actor FROM audit_verifications ORDER BY id'
    );
    await records.close();
    expect(runs.rows.map((r) => [r.source, r.valid])).toEqual([
      ['cli', true],
      ['cli', true],
      ['cli', false],
    ]);
    expect(runs.rows[0]?.actor).toMatch(/^cli:.+@.+/);

    const keyless = run(['audit', 'verify'], { DATA_DIR: tempDir() });
    expect(keyless.status).toBe(78);
    expect(keyless.stderr).toContain('--public-key is needed');
  }, 120_000);
});
