import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The executable `name` on PATH, as execFile would find it; undefined when there is none. */
export function findExecutable(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export const hasFail2banServer = findExecutable('fail2ban-server') !== undefined;
export const SKIP_REASON = 'skipped: fail2ban-server is not installed (Debian package fail2ban)';

export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A temporary directory for one server: its socket, pid file, database, log and the test's log files. */
export function serverDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** fail2ban.conf keeping everything the server writes in `dir`, its own log at INFO (recidive reads it). */
export function writeServerConf(configDir: string, dir: string): void {
  writeFileSync(
    path.join(configDir, 'fail2ban.local'),
    [
      '[Definition]',
      'loglevel = INFO',
      `logtarget = ${path.join(dir, 'fail2ban.log')}`,
      'syslogsocket = auto',
      `socket = ${path.join(dir, 'fail2ban.sock')}`,
      `pidfile = ${path.join(dir, 'fail2ban.pid')}`,
      'allowipv6 = auto',
      `dbfile = ${path.join(dir, 'fail2ban.sqlite3')}`,
      '',
    ].join('\n')
  );
}

export interface TestServer {
  socket: string;
  configDir: string;
  /** Stops the server (SIGTERM, then SIGKILL after 15 s); safe to call twice. */
  stop(): Promise<void>;
}

function ping(socket: string, configDir: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('fail2ban-client', ['-s', socket, '-c', configDir, 'ping'], { timeout: 5000 }, (error) =>
      resolve(error === null)
    );
  });
}

/** A real fail2ban-server in the foreground, as a child of the test, on the configuration in `configDir`. */
export async function startFail2banServer(dir: string, configDir: string): Promise<TestServer> {
  const socket = path.join(dir, 'fail2ban.sock');
  const child = spawn(
    'fail2ban-server',
    ['-f', '-x', '-s', socket, '-p', path.join(dir, 'fail2ban.pid'), '-c', configDir],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    }
  };
  try {
    await waitFor('fail2ban-server to answer', async () => {
      if (child.exitCode !== null) throw new Error(`fail2ban-server exited (${child.exitCode}): ${output}`);
      return ping(socket, configDir);
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { socket, configDir, stop };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
