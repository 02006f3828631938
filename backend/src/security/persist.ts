/**
 * Writing a processed batch: its events and bans in one transaction, its audit entries alongside, and both done
 * before the caller is answered. When either write fails the caller gets the error, but the decisions are not lost:
 * the bans (already in force in memory) and their audit entries are kept here and written by the next maintenance
 * tick. Bans are inserted idempotently (by id), so a retry after an unseen commit changes nothing.
 */
import type { AuditEventInput } from '../audit/entry';
import type { AuditSink } from '../audit/store';
import type { Database } from '../db';
import { auditEntries, decisionEntries, newBans, type Batch } from './batch';
import { insertBans, type NewBan } from './ban-repo';
import { writeEvents } from './event-store';

export interface PersistLogger {
  error(obj: object, msg: string): void;
}

export class BatchWriter {
  private unsavedBans: NewBan[] = [];
  private unsavedAudit: AuditEventInput[] = [];

  constructor(
    private readonly db: Database,
    private readonly trail: AuditSink,
    private readonly adapters: () => string[],
    private readonly log: PersistLogger
  ) {}

  /** Decisions and audit entries waiting for a retry. */
  get backlog(): number {
    return this.unsavedBans.length + this.unsavedAudit.length;
  }

  /** Stores the batch (and `extraAudit`); resolves with its bans once everything is committed. */
  async write(batch: Batch, extraAudit: AuditEventInput[] = []): Promise<NewBan[]> {
    const bans = newBans(batch);
    const entries = auditEntries(batch).concat(extraAudit);
    const [stored, audited] = await Promise.allSettled([
      this.db.transaction(async (tx) => {
        await writeEvents(tx, batch.rows);
        await insertBans(tx, bans, this.adapters());
      }),
      entries.length > 0 ? this.trail.append(entries) : Promise.resolve(undefined),
    ]);
    if (stored.status === 'rejected') this.unsavedBans.push(...bans);
    if (audited.status === 'rejected') this.unsavedAudit.push(...decisionEntries(batch), ...extraAudit);
    const failure = stored.status === 'rejected' ? stored : audited.status === 'rejected' ? audited : undefined;
    if (failure !== undefined) {
      this.log.error(
        { err: failure.reason },
        'could not store a batch of security events; its decisions are kept and retried'
      );
      throw failure.reason;
    }
    return bans;
  }

  /** Appends entries, keeping them for a retry when the trail cannot take them now. */
  async audit(entries: AuditEventInput[]): Promise<void> {
    if (entries.length === 0) return;
    try {
      await this.trail.append(entries);
    } catch (err) {
      this.unsavedAudit.push(...entries);
      this.log.error({ err }, 'could not write to the audit trail; the entries are retried');
    }
  }

  /** Writes what failed before; what fails again stays for the next call. */
  async retry(): Promise<void> {
    if (this.unsavedBans.length > 0) {
      const bans = this.unsavedBans;
      this.unsavedBans = [];
      await this.db
        .transaction((tx) => insertBans(tx, bans, this.adapters()))
        .catch((err: unknown) => {
          this.unsavedBans.unshift(...bans);
          throw err;
        });
    }
    if (this.unsavedAudit.length > 0) {
      const entries = this.unsavedAudit;
      this.unsavedAudit = [];
      await this.trail.append(entries).catch((err: unknown) => {
        this.unsavedAudit.unshift(...entries);
        throw err;
      });
    }
  }
}
