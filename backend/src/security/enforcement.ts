/**
 * Enforcement of bans by adapters (Fail2ban…), through the ban_enforcement outbox: every process claims due rows
 * (SKIP LOCKED, with a lease so that a process that dies mid-call leaves them to another), runs the adapter and
 * records the result. A failure keeps the row pending with its error and retries it later, the delay doubling from
 * `retryInitialMs` up to `retryMaxMs`: a decision is never lost because an enforcer was down.
 */
import type { Queryable } from '../db';
import { canonicalBlock } from './cidr';

/** The states of a ban_enforcement row (migration 0005). */
export type EnforcementState = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';

export interface EnforcementAdapter {
  readonly name: string;
  ban(ip: string): Promise<void>;
  unban(ip: string): Promise<void>;
}

/** The adapter cannot do this at all (e.g. ban a CIDR block): the row is marked skipped, never retried. */
export class EnforcementSkipped extends Error {
  override name = 'EnforcementSkipped';
}

/** Retrying cannot help (e.g. an argument the adapter rejects): the row is marked failed. */
export class EnforcementRejected extends Error {
  override name = 'EnforcementRejected';
}

/** The adapter is down as a whole: the rest of its due rows wait for the next round instead of failing too. */
export class EnforcerUnavailable extends Error {
  override name = 'EnforcerUnavailable';
}

export interface EnforcementResult {
  adapter: string;
  action: 'ban' | 'unban';
  banId: string;
  ip: string;
  state: Exclude<EnforcementState, 'running'>;
  attempts: number;
  error?: string;
}

export interface EnforcerOptions {
  retryInitialMs: number;
  retryMaxMs: number;
  /** Rows claimed per adapter and round. */
  batch?: number;
  /** How long a claimed row is left to its process before another may take it. */
  leaseMs?: number;
  onResult?: (result: EnforcementResult) => void;
}

interface Claimed {
  banId: string;
  action: 'ban' | 'unban';
  attempts: number;
  ip: string;
  /** A `ban` of a ban that ended meanwhile, or an `unban` while another ban of the address is in force. */
  moot: boolean;
}

const CLAIM = `WITH due AS (
  SELECT e.ban_id, e.adapter, e.action FROM ban_enforcement e
   WHERE e.adapter = $1
     AND ((e.state = 'pending' AND e.next_attempt_at <= now()) OR (e.state = 'running' AND e.lease_until < now()))
     AND NOT (e.action = 'unban' AND EXISTS (
       SELECT 1 FROM ban_enforcement b WHERE b.ban_id = e.ban_id AND b.adapter = e.adapter AND b.action = 'ban'
          AND (b.state = 'pending' OR (b.state = 'running' AND b.lease_until >= now()))))
   ORDER BY e.next_attempt_at LIMIT $2 FOR UPDATE OF e SKIP LOCKED
)
UPDATE ban_enforcement e
   SET state = 'running', attempts = e.attempts + 1, lease_until = now() + make_interval(secs => $3),
       updated_at = now()
  FROM due, bans b
 WHERE e.ban_id = due.ban_id AND e.adapter = due.adapter AND e.action = due.action AND b.id = e.ban_id
RETURNING e.ban_id::text AS "banId", e.action, e.attempts, abbrev(b.ip) AS ip,
  CASE WHEN e.action = 'ban' THEN b.lifted_at IS NOT NULL OR b.until <= now()
       ELSE EXISTS (SELECT 1 FROM bans o WHERE o.ip = b.ip AND o.id <> b.id AND o.lifted_at IS NULL
                       AND (o.until IS NULL OR o.until > now())) END AS moot`;

const FINISH = `UPDATE ban_enforcement
   SET state = $4, last_error = $5, next_attempt_at = now() + make_interval(secs => $6), lease_until = NULL,
       updated_at = now()
 WHERE ban_id = $1::uuid AND adapter = $2 AND action = $3`;

const RELEASE = `UPDATE ban_enforcement e
   SET state = 'pending', attempts = e.attempts - 1, lease_until = NULL, updated_at = now()
  FROM unnest($1::uuid[], $3::text[]) AS r(ban_id, action)
 WHERE e.ban_id = r.ban_id AND e.adapter = $2 AND e.action = r.action`;

export class Enforcer {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly db: Queryable,
    readonly adapters: readonly EnforcementAdapter[],
    private readonly options: EnforcerOptions
  ) {}

  get adapterNames(): string[] {
    return this.adapters.map((a) => a.name);
  }

  /** Works through every due row once; concurrent calls share one round (and ask for another after it). */
  run(): Promise<void> {
    if (this.adapters.length === 0) return Promise.resolve();
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        for (const adapter of this.adapters) await this.runAdapter(adapter);
      } while (this.again);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Resolves when the round in progress (if any) is over. */
  async settled(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  /** Delay before attempt n + 1 after n failed ones. */
  retryDelayMs(attempts: number): number {
    const { retryInitialMs, retryMaxMs } = this.options;
    return Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  }

  private async runAdapter(adapter: EnforcementAdapter): Promise<void> {
    const leaseSeconds = (this.options.leaseMs ?? 120_000) / 1000;
    const { rows } = await this.db.query<Claimed>(CLAIM, [adapter.name, this.options.batch ?? 50, leaseSeconds]);
    for (let i = 0; i < rows.length; i++) {
      const { result, unavailable } = await this.attempt(adapter, rows[i] as Claimed);
      this.options.onResult?.(result);
      if (unavailable) {
        // The adapter is down: the rest go back untouched (this round does not count as their attempt).
        const rest = rows.slice(i + 1);
        if (rest.length > 0)
          await this.db.query(RELEASE, [rest.map((r) => r.banId), adapter.name, rest.map((r) => r.action)]);
        return;
      }
    }
  }

  private async attempt(
    adapter: EnforcementAdapter,
    row: Claimed
  ): Promise<{ result: EnforcementResult; unavailable: boolean }> {
    const ip = canonicalBlock(row.ip) ?? row.ip;
    const base = { adapter: adapter.name, action: row.action, banId: row.banId, ip, attempts: row.attempts };
    if (row.moot) {
      await this.finish(adapter, row, 'cancelled', null, 0);
      return { result: { ...base, state: 'cancelled' }, unavailable: false };
    }
    try {
      await (row.action === 'ban' ? adapter.ban(ip) : adapter.unban(ip));
      await this.finish(adapter, row, 'done', null, 0);
      return { result: { ...base, state: 'done' }, unavailable: false };
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 2000);
      const state =
        err instanceof EnforcementSkipped ? 'skipped' : err instanceof EnforcementRejected ? 'failed' : 'pending';
      const delaySeconds = state === 'pending' ? this.retryDelayMs(row.attempts) / 1000 : 0;
      await this.finish(adapter, row, state, message, delaySeconds);
      return { result: { ...base, state, error: message }, unavailable: err instanceof EnforcerUnavailable };
    }
  }

  private async finish(
    adapter: EnforcementAdapter,
    row: Claimed,
    state: EnforcementResult['state'],
    error: string | null,
    delaySeconds: number
  ): Promise<void> {
    await this.db.query(FINISH, [row.banId, adapter.name, row.action, state, error, delaySeconds]);
  }
}
