/**
 * The processes the bench runs against, started as the e2e run starts them (playwright.config.ts `webServer`): the
 * real backend through tests/support/backend.mjs (PostgreSQL in a schema of its own, dropped when it stops) and the
 * test host (host/server.mjs) serving the built plugin.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';

export const PLUGIN_DIR = path.resolve(__dirname, '..');

export interface Service {
  url: string;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(child: ChildProcess, name: string, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${name} exited with ${child.exitCode} before answering on ${url}`);
    }
    const ok = await fetch(url, { redirect: 'manual' }).then(
      (res) => res.status < 500,
      () => false
    );
    if (ok) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${name} did not answer on ${url} within ${timeoutMs / 1000} s`);
}

/** Starts `node <script>` in the plugin folder and waits until `readyPath` answers; `stop` ends it with SIGTERM. */
export async function startService(
  name: string,
  script: string,
  port: number,
  readyPath: string,
  env: Record<string, string>
): Promise<Service> {
  const child = spawn(process.execPath, [script], {
    cwd: PLUGIN_DIR,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ...env },
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  };
  try {
    await waitFor(child, name, `${url}${readyPath}`, 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}
