import { Fail2banCommandError, InvalidFail2banArgumentError, UnknownJailError } from './errors';
import { runFail2banClient, type ExecSettings } from './exec';
import { parseAllJailsStatus, parseChangedCount, parseJailList, parseJailStatus, type JailStatus } from './parse';
import { checkIp, checkJailName } from './validate';

export const DEFAULT_FAIL2BAN_TIMEOUT_MS = 10_000;

export interface Fail2banClientOptions {
  /**
   * fail2ban-client, or a command that runs it: ['/usr/bin/fail2ban-client'], ['sudo', '-n', 'fail2ban-client']
   * (a sudoers rule for the API's user, since the socket gives root). Default: fail2ban-client from PATH.
   */
  command?: readonly string[];
  /** The server's socket (-s); default: the one in fail2ban.conf. */
  socketPath?: string;
  /** Fail2ban's configuration directory (-c); default /etc/fail2ban. */
  configDir?: string;
  /** Longest a command may take before it is killed. Default 10 s. */
  timeoutMs?: number;
}

/** What a ban or unban did: `changed` is false when the address already was (or was not) banned in the jail. */
export interface BanResult {
  jail: string;
  /** The address as Fail2ban holds it (normalized). */
  ip: string;
  changed: boolean;
}

export interface Fail2banClient {
  /** Resolves when the server answers. */
  ping(): Promise<void>;
  /** Names of the server's jails. */
  status(): Promise<string[]>;
  jailStatus(jail: string): Promise<JailStatus>;
  /** Every jail's status: one `status --all` on Fail2ban 1.1+, `status` then each jail on 1.0. */
  statusAll(): Promise<JailStatus[]>;
  ban(jail: string, ip: string): Promise<BanResult>;
  unban(jail: string, ip: string): Promise<BanResult>;
}

/** How many fail2ban-client processes statusAll runs at once on Fail2ban 1.0. */
const STATUS_CONCURRENCY = 4;

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function settingsFrom(options: Fail2banClientOptions): ExecSettings {
  const [file, ...lead] = options.command ?? ['fail2ban-client'];
  if (file === undefined || file === '') throw new InvalidFail2banArgumentError('fail2ban command is empty');
  const timeoutMs = options.timeoutMs ?? DEFAULT_FAIL2BAN_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new InvalidFail2banArgumentError(`fail2ban timeout must be a positive number of ms, got ${timeoutMs}`);
  }
  return { command: [file, ...lead], socketPath: options.socketPath, configDir: options.configDir, timeoutMs };
}

/**
 * Fail2ban control through fail2ban-client (CONTRACTS §1.1: the socket speaks Python pickle, so Node does not
 * talk to it). Jail names and addresses are checked before anything runs; failures are `Fail2banError`s whose
 * `statusCode` is the HTTP answer (503 for `Fail2banUnavailableError`).
 */
export function createFail2banClient(options: Fail2banClientOptions = {}): Fail2banClient {
  const settings = settingsFrom(options);
  const run = (args: readonly string[]) => runFail2banClient(settings, args);
  // Learnt from the first statusAll: Fail2ban 1.0 takes "--all" for a jail name and has no such jail.
  let hasStatusAll: boolean | undefined;

  const readJail = async (name: string) => parseJailStatus(name, await run(['status', name]));
  const jailStatus = async (jail: string) => readJail(checkJailName(jail));
  const status = async () => parseJailList(await run(['status']));

  // Names the server listed are passed as they are (argv, no shell): a host's own jail may be named in a way
  // this API would not accept from a client, and still has to show up.
  const eachJailStatus = async () => {
    const statuses = await mapLimit(await status(), STATUS_CONCURRENCY, (jail) =>
      readJail(jail).catch((err: unknown) => {
        if (err instanceof UnknownJailError) return null; // removed by a reload since `status`
        throw err;
      })
    );
    return statuses.filter((s): s is JailStatus => s !== null);
  };

  const setBan = async (jail: string, ip: string, command: 'banip' | 'unbanip'): Promise<BanResult> => {
    const name = checkJailName(jail);
    const address = checkIp(ip);
    const changed = parseChangedCount(await run(['set', name, command, address])) > 0;
    return { jail: name, ip: address, changed };
  };

  return {
    async ping() {
      const output = await run(['ping']);
      if (!output.includes('pong')) throw new Fail2banCommandError('unexpected answer to ping', output);
    },
    status,
    jailStatus,
    async statusAll() {
      if (hasStatusAll !== false) {
        try {
          const jails = parseAllJailsStatus(await run(['status', '--all']));
          hasStatusAll = true;
          return jails;
        } catch (err) {
          if (!(err instanceof UnknownJailError) || err.jail !== '--all') throw err;
          hasStatusAll = false;
        }
      }
      return eachJailStatus();
    },
    ban: (jail, ip) => setBan(jail, ip, 'banip'),
    unban: (jail, ip) => setBan(jail, ip, 'unbanip'),
  };
}
