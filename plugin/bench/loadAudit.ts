/**
 * Fills the audit trail through the backend's own bulk path, POST /api/audit/events with the ingest token, as other
 * applications write to it: batches of a few thousand, two in flight so that the next batch is parsed while the
 * previous one is written. The entries span the last 30 days, oldest first, spread over 1,000 users and 4,096
 * addresses, one in twenty a failure.
 */
import type { SeedEvent } from '../tests/support/backendApi';

export const USERS = 1000;
const ADDRESSES = 4096;
const SPAN_MS = 30 * 86_400_000;
const ACTIONS = [
  ['login', 'session'],
  ['logout', 'session'],
  ['dashboard.view', 'dashboards'],
  ['settings.update', 'settings'],
  ['export', 'reports'],
  ['ban.create', 'bans'],
] as const;

/** The user of entry `i`: `user-0000` … `user-0999`. */
export const userOf = (i: number) => `user-${String(i % USERS).padStart(4, '0')}`;

/** The address of entry `i`, in 10.20.0.0/20: sixteen /24 blocks of 256 addresses. */
export const addressOf = (i: number) => {
  const n = (i * 2654435761) % ADDRESSES;
  return `10.20.${n >> 8}.${n & 255}`;
};

export function entry(i: number, total: number, now: number): SeedEvent {
  const [action, resource] = ACTIONS[i % ACTIONS.length];
  const failed = i % 20 === 0;
  return {
    action,
    resource,
    status: failed ? 'failure' : 'success',
    username: userOf(i),
    ip: addressOf(i),
    resourceId: `r-${i % 5000}`,
    timestamp: new Date(now - SPAN_MS + Math.floor((i * SPAN_MS) / total)).toISOString(),
    ...(failed ? { errorMessage: 'invalid credentials' } : {}),
    metadata: { app: 'portal', request: i },
  };
}

export interface LoadResult {
  entries: number;
  seconds: number;
}

/** Posts `total` entries in batches of `batchSize`, printing progress about every 5 % through `log`. */
export async function loadAuditTrail(
  backendUrl: string,
  ingestToken: string,
  total: number,
  { batchSize = 2500, inFlight = 2, log = (line: string) => process.stderr.write(`${line}\n`) } = {}
): Promise<LoadResult> {
  const started = performance.now();
  const now = Date.now();
  let next = 0;
  let done = 0;
  let reported = 0;
  const post = async (from: number, to: number) => {
    const events = Array.from({ length: to - from }, (_, k) => entry(from + k, total, now));
    const res = await fetch(`${backendUrl}/api/audit/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    if (res.status !== 201) {
      throw new Error(`POST /api/audit/events answered ${res.status}: ${await res.text()}`);
    }
    done += to - from;
    if (done - reported >= total / 20 || done === total) {
      reported = done;
      const seconds = (performance.now() - started) / 1000;
      log(
        `  loaded ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} entries (${rate(done, seconds)})`
      );
    }
  };
  const worker = async () => {
    while (next < total) {
      const from = next;
      next = Math.min(total, next + batchSize);
      await post(from, next);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { entries: total, seconds: (performance.now() - started) / 1000 };
}

export const rate = (entries: number, seconds: number) =>
  `${Math.round(entries / seconds).toLocaleString('en-US')} entries/s`;
