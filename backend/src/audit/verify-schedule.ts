/**
 * The backend verifies the whole audit trail by itself when the latest recorded whole-log verification (from any
 * process, the CLI included) is older than the interval. On PostgreSQL a transaction-scoped advisory lock makes
 * one process of several run it; the others see its record at their next check.
 */
import type { Database } from '../db';
import type { SigningKey } from './signing-key';
import { latestWholeVerification, verifyAndRecord, type VerificationRecord } from './verifications';

export interface VerifyScheduleOptions {
  /** Verify when the latest whole-log run is older than this. */
  intervalMs: number;
  /** First check after start (default one minute: a starting fleet does not verify all at once). */
  initialDelayMs?: number;
  /** Between checks (default: a quarter of the interval, at most ten minutes). */
  checkEveryMs?: number;
  /** Hashing threads for a scheduled run (default 1: the API keeps the other cores). */
  threads?: number;
  onResult?: (record: VerificationRecord) => void;
  onError?: (err: Error) => void;
}

/** Any fixed 64-bit key of our own: pg_try_advisory_xact_lock(bigint). */
const LOCK_KEY = 0x63617274_61650001n;

export class VerifySchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly key: Pick<SigningKey, 'publicKey'>,
    private readonly options: VerifyScheduleOptions
  ) {}

  start(): void {
    this.arm(this.options.initialDelayMs ?? 60_000);
  }

  /** Stops checking and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Runs one check now: verifies when due; resolves with the new record, or undefined when nothing was due. */
  async check(now = Date.now()): Promise<VerificationRecord | undefined> {
    const latest = await latestWholeVerification(this.db);
    if (latest && now - Date.parse(latest.finishedAt) < this.options.intervalMs) return undefined;
    if (this.db.kind === 'pglite') return this.verify(); // one process owns an embedded database
    return this.db.transaction(async (tx) => {
      const lock = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        LOCK_KEY.toString(),
      ]);
      if (!lock.rows[0]?.locked) return undefined; // another process is verifying
      // Checked again under the lock: another process may have finished a run in between.
      const again = await latestWholeVerification(tx);
      if (again && now - Date.parse(again.finishedAt) < this.options.intervalMs) return undefined;
      return this.verify();
    });
  }

  private async verify(): Promise<VerificationRecord> {
    const { record } = await verifyAndRecord(
      this.db,
      this.key,
      { source: 'schedule', actor: 'backend' },
      { threads: this.options.threads ?? 1 }
    );
    this.options.onResult?.(record);
    return record;
  }

  private arm(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.check()
        .then(() => undefined)
        .catch((err: unknown) => this.options.onError?.(err as Error))
        .finally(() => {
          this.running = undefined;
          this.arm(this.options.checkEveryMs ?? Math.min(this.options.intervalMs / 4, 600_000));
        });
    }, delayMs);
    this.timer.unref();
  }
}
