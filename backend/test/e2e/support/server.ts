/**
 * `cartae-secops` as real processes: `serve` started with its environment and stopped, `audit verify --json`,
 * and the HTTP verify endpoint. Every server started here is killed by `killServers` if still running.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Static } from '@sinclair/typebox';
import type { VerifyReport } from '../../../src/audit/verify';
import type { VerifyResponse } from '../../../src/schemas/audit-proof';

const BIN = path.resolve(__dirname, '../../../bin/cartae-secops.js');
export const DATABASE_URL = process.env.TEST_DATABASE_URL;
export const INGEST_TOKEN = randomBytes(32).toString('hex');
export const ADMIN_TOKEN = randomBytes(32).toString('hex');
/** One key for every process, so checkpoints signed by either verify with it. */
const SIGNING_KEY = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

export interface Server {
  child: ChildProcessWithoutNullStreams;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

const servers = new Set<Server>();

export function serverEnv(schema: string, dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
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
export function serve(env: Record<string, string>): Promise<Server> {
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
export function verifyCli(
  env: Record<string, string>
): Promise<{ code: number | null; report: VerifyReport | string }> {
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

export async function apiVerify(url: string): Promise<Static<typeof VerifyResponse>> {
  const res = await fetch(`${url}/api/audit/verify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Static<typeof VerifyResponse>;
}

export async function stop(server: Server): Promise<void> {
  server.child.kill('SIGTERM');
  expect(await server.exited).toEqual({ code: 0, signal: null });
}

/** Kills the servers still running (SIGKILL) and waits until every server started so far has exited. */
export async function killServers(): Promise<void> {
  for (const { child } of servers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all([...servers].map((server) => server.exited));
  servers.clear();
}
