/**
 * The whitelist in force: the configuration file's entries (read-only) and the API's (table whitelist), handed to
 * the engine whenever they change, so that an edit takes effect at the next event, and in other processes at their
 * next refresh. Entries past their expiry are deleted (by one process) and leave at once.
 */
import type { Database } from '../db';
import {
  deleteExpiredWhitelist,
  listWhitelist,
  removeWhitelist,
  upsertWhitelist,
  type WhitelistEntry,
} from './whitelist-repo';

export interface WhitelistView extends WhitelistEntry {
  /** `config`: from the configuration file, removable only there; `api`: added through the API. */
  source: 'config' | 'api';
}

export class WhitelistState {
  private api: WhitelistEntry[] = [];
  private applied = '';
  private nextExpiryMs = Infinity;

  constructor(
    private readonly db: Database,
    readonly fileEntries: readonly string[],
    private readonly apply: (entries: string[]) => void
  ) {}

  /** Every entry in force, the file's first. */
  list(): WhitelistView[] {
    const file = this.fileEntries.map((ip): WhitelistView => ({
      ip,
      reason: 'configuration file',
      actor: 'config',
      createdAt: '',
      expiresAt: null,
      source: 'config',
    }));
    return file.concat(this.api.map((entry) => ({ ...entry, source: 'api' as const })));
  }

  isFileEntry(ip: string): boolean {
    return this.fileEntries.includes(ip);
  }

  /** Reads the API's entries and hands the whole list to the engine when it changed (or when `force`d). */
  async reload(force = false): Promise<void> {
    this.set(await listWhitelist(this.db), force);
  }

  async upsert(entry: { ip: string; reason: string; actor: string; expiresAt: Date | null }) {
    const result = await upsertWhitelist(this.db, entry);
    await this.reload();
    return result;
  }

  async remove(ip: string): Promise<WhitelistEntry | null> {
    const removed = await removeWhitelist(this.db, ip);
    await this.reload();
    return removed;
  }

  /** Deletes the entries that expired by `now` (when one is due) and returns them. */
  async expire(now: number): Promise<WhitelistEntry[]> {
    if (now < this.nextExpiryMs) return [];
    const removed = await deleteExpiredWhitelist(this.db);
    await this.reload();
    return removed;
  }

  private set(entries: WhitelistEntry[], force = false): void {
    this.api = entries;
    this.nextExpiryMs = Math.min(
      Infinity,
      ...entries.map((e) => (e.expiresAt === null ? Infinity : Date.parse(e.expiresAt)))
    );
    const all = [...this.fileEntries, ...entries.map((e) => e.ip)];
    const key = all.join(',');
    if (key === this.applied && !force) return;
    this.applied = key;
    this.apply(all);
  }
}
