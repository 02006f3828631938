/**
 * Fail2ban's jails as Prometheus gauges, read from fail2ban-client when scraped: a short deadline so a hung
 * server cannot stall the scrape, and a small cache so that the gauges of one scrape (and scrapes by several
 * Prometheus servers) share one read. Labels are the server's jail names, a set its configuration bounds.
 */
import { Gauge, type Registry } from 'prom-client';
import type { Fail2banClient } from './client';
import type { JailStatus } from './parse';

export interface Fail2banMetricsOptions {
  /** A read not finished by then counts as Fail2ban down (default 3 s). */
  deadlineMs?: number;
  /** How long a read is reused (default 5 s). */
  cacheMs?: number;
  /** Told why a read failed (for the log), at most once per read. */
  onError?: (err: unknown) => void;
  now?: () => number;
}

interface Snapshot {
  at: number;
  up: boolean;
  jails: JailStatus[];
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Fail2ban did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Registers fail2ban_up, fail2ban_jails_total, fail2ban_active_bans{jail}, fail2ban_banned_ips_total{jail}. */
export function registerFail2banMetrics(
  registry: Registry,
  client: Fail2banClient,
  options: Fail2banMetricsOptions = {}
): void {
  const deadlineMs = options.deadlineMs ?? 3000;
  const cacheMs = options.cacheMs ?? 5000;
  const now = options.now ?? Date.now;
  let last: Snapshot | undefined;
  let reading: Promise<Snapshot> | undefined;

  const read = (): Promise<Snapshot> => {
    if (last && now() - last.at < cacheMs) return Promise.resolve(last);
    reading ??= withDeadline(client.statusAll(), deadlineMs)
      .then(
        (jails): Snapshot => ({ at: now(), up: true, jails }),
        (err: unknown): Snapshot => {
          options.onError?.(err);
          return { at: now(), up: false, jails: [] };
        }
      )
      .then((snapshot) => {
        last = snapshot;
        reading = undefined;
        return snapshot;
      });
    return reading;
  };

  const registers = [registry];
  new Gauge({
    name: 'fail2ban_up',
    help: 'Whether fail2ban-client could read the status of Fail2ban at the last scrape (1) or not (0)',
    registers,
    async collect() {
      this.set((await read()).up ? 1 : 0);
    },
  });
  new Gauge({
    name: 'fail2ban_jails_total',
    help: 'Jails running in Fail2ban (0 while it is unreachable)',
    registers,
    async collect() {
      this.set((await read()).jails.length);
    },
  });
  const perJail = (name: string, help: string, value: (jail: JailStatus) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['jail'],
      registers,
      async collect() {
        const { jails } = await read();
        this.reset(); // a jail removed by a reload must not linger
        for (const jail of jails) this.set({ jail: jail.jail }, value(jail));
      },
    });
  perJail('fail2ban_active_bans', 'Addresses currently banned, by Fail2ban jail', (j) => j.currentlyBanned);
  perJail(
    'fail2ban_banned_ips_total',
    'Bans made by each Fail2ban jail since the server started (restarts reset it)',
    (j) => j.totalBanned
  );
}
