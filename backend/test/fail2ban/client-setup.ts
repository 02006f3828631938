import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  createFail2banClient,
  type Fail2banClient,
  type Fail2banError,
  type Fail2banErrorCode,
} from '../../src/fail2ban';
import { removeDir, serverDir, startFail2banServer, writeServerConf, type TestServer } from './server';

/** Two jails reading their own log files, banning with an action that only records what it was asked. */
function writeClientConfig(dir: string): string {
  const configDir = path.join(dir, 'conf');
  mkdirSync(path.join(configDir, 'filter.d'), { recursive: true });
  mkdirSync(path.join(configDir, 'action.d'));
  writeFileSync(path.join(configDir, 'fail2ban.conf'), '[Definition]\n');
  writeServerConf(configDir, dir);
  writeFileSync(
    path.join(configDir, 'filter.d', 'test-login.conf'),
    '[Definition]\nfailregex = ^\\s*login failed from <ADDR>$\ndatepattern = ^{EPOCH}\n'
  );
  const record = path.join(dir, 'actions.log');
  writeFileSync(
    path.join(configDir, 'action.d', 'test-record.conf'),
    `[Definition]\nactionban = echo "+<ip>" >> '${record}'\nactionunban = echo "-<ip>" >> '${record}'\n`
  );
  const jail = (name: string, log: string) =>
    `[${name}]\nenabled = true\nfilter = test-login\nlogpath = ${path.join(dir, log)}\n`;
  writeFileSync(path.join(dir, 'web.log'), '');
  writeFileSync(path.join(dir, 'api.log'), '');
  writeFileSync(
    path.join(configDir, 'jail.conf'),
    `[DEFAULT]\nbackend = polling\naction = test-record\nmaxretry = 5\nfindtime = 10m\nbantime = 1h\n\n` +
      `${jail('web', 'web.log')}\n${jail('api.v2-test', 'api.log')}`
  );
  return configDir;
}

export const recorded = (dir: string) =>
  existsSync(path.join(dir, 'actions.log')) ? readFileSync(path.join(dir, 'actions.log'), 'utf8').split('\n') : [];

/** Rejects with a Fail2banError of this class and code; returns it for more checks. */
export async function rejection<E extends Fail2banError>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => E,
  code: Fail2banErrorCode
): Promise<E> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e
  );
  expect(err).toBeInstanceOf(type);
  expect((err as E).code).toBe(code);
  return err as E;
}

export interface ClientServer {
  dir: string;
  server: TestServer;
  /** A client of that server. */
  client: Fail2banClient;
}

/** Starts a server on the two-jail configuration before the suite's tests and stops it after them. */
export function useClientServer(): ClientServer {
  const context = {} as ClientServer;
  beforeAll(async () => {
    context.dir = serverDir('f2b-client-');
    const configDir = writeClientConfig(context.dir);
    context.server = await startFail2banServer(context.dir, configDir);
    context.client = createFail2banClient({ socketPath: context.server.socket, configDir });
  });
  afterAll(async () => {
    await context.server?.stop();
    if (context.dir) removeDir(context.dir);
  });
  return context;
}
