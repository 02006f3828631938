/**
 * Bans in force and the ban history that escalation counts. The engine reads and writes them synchronously
 * through BanStore, so the hot path never waits; the live path keeps a MemoryBanStore in front of the database
 * (it records each decision, and on start-up imports the snapshot it rebuilt from the database), which is how a
 * restart changes nothing.
 */

export interface BanRecord {
  ip: string;
  ruleId: string;
  /** When the ban started (the triggering event's time), ms since the epoch. */
  atMs: number;
  /** When it ends; Infinity for a permanent ban. */
  untilMs: number;
  /** 1 + the IP's earlier bans within the escalation window. */
  banNumber: number;
}

export interface BanStore {
  /** End of the ban in force for `ip` at `t` (`t < until`; Infinity when permanent), or 0 when there is none. */
  bannedUntil(ip: string, t: number): number;
  /** How many bans of `ip` started strictly after `since`. */
  bansSince(ip: string, since: number): number;
  add(ban: BanRecord): void;
  /** Lifts the ban in force (a manual unban); the history still counts for escalation. */
  lift(ip: string): BanRecord | undefined;
  /**
   * Forgets bans that started at or before `historySince` and have ended, and returns the bans that have ended
   * by `now` since the last call (for the enforcers to unban).
   */
  expire(now: number, historySince: number): BanRecord[];
}

/** JSON form of the escalation state: every ban still in force (`active`) or still counted by escalation. */
export interface BanSnapshot {
  version: 1;
  bans: { ip: string; ruleId: string; at: string; until: string | null; banNumber: number; active: boolean }[];
}

interface IpBans {
  /** The ban in force, if any (expired ones leave at the next `expire`). */
  active: BanRecord | undefined;
  /** Ban history, oldest first. */
  history: BanRecord[];
}

export class MemoryBanStore implements BanStore {
  private readonly ips = new Map<string, IpBans>();

  bannedUntil(ip: string, t: number): number {
    const active = this.ips.get(ip)?.active;
    return active !== undefined && t < active.untilMs ? active.untilMs : 0;
  }

  bansSince(ip: string, since: number): number {
    const history = this.ips.get(ip)?.history;
    if (history === undefined) return 0;
    let count = 0;
    for (let i = history.length - 1; i >= 0 && (history[i] as BanRecord).atMs > since; i--) count++;
    return count;
  }

  add(ban: BanRecord): void {
    let entry = this.ips.get(ban.ip);
    if (entry === undefined) {
      entry = { active: undefined, history: [] };
      this.ips.set(ban.ip, entry);
    }
    entry.active = ban;
    entry.history.push(ban);
  }

  /**
   * Records a ban in the history only, in time order, leaving the ban in force alone: a ban learnt late (from
   * another process sharing the database) that started before the one in force still counts for escalation.
   */
  addHistory(ban: BanRecord): void {
    let entry = this.ips.get(ban.ip);
    if (entry === undefined) {
      entry = { active: undefined, history: [] };
      this.ips.set(ban.ip, entry);
    }
    const history = entry.history;
    let at = history.length;
    while (at > 0 && (history[at - 1] as BanRecord).atMs > ban.atMs) at--;
    history.splice(at, 0, ban);
  }

  lift(ip: string): BanRecord | undefined {
    const entry = this.ips.get(ip);
    const active = entry?.active;
    if (entry !== undefined) entry.active = undefined;
    return active;
  }

  expire(now: number, historySince: number): BanRecord[] {
    const ended: BanRecord[] = [];
    for (const [ip, entry] of this.ips) {
      if (entry.active !== undefined && entry.active.untilMs <= now) {
        ended.push(entry.active);
        entry.active = undefined;
      }
      const history = entry.history;
      let drop = 0;
      while (drop < history.length && (history[drop] as BanRecord).atMs <= historySince) drop++;
      if (drop > 0) history.splice(0, drop);
      if (entry.active === undefined && history.length === 0) this.ips.delete(ip);
    }
    return ended;
  }

  /** Bans in force at `t`. */
  active(t: number): BanRecord[] {
    const bans: BanRecord[] = [];
    for (const entry of this.ips.values()) {
      if (entry.active !== undefined && t < entry.active.untilMs) bans.push(entry.active);
    }
    return bans;
  }

  export(): BanSnapshot {
    const bans: BanSnapshot['bans'] = [];
    for (const { active, history } of this.ips.values()) {
      // A permanent ban outlives the history window: it is exported even when no longer counted.
      const records = active !== undefined && !history.includes(active) ? [active, ...history] : history;
      for (const ban of records) {
        bans.push({
          ip: ban.ip,
          ruleId: ban.ruleId,
          at: new Date(ban.atMs).toISOString(),
          until: Number.isFinite(ban.untilMs) ? new Date(ban.untilMs).toISOString() : null,
          banNumber: ban.banNumber,
          active: ban === active,
        });
      }
    }
    return { version: 1, bans };
  }

  /** Restores a snapshot into a new store. */
  static import(snapshot: BanSnapshot): MemoryBanStore {
    if (snapshot.version !== 1) throw new Error(`unsupported ban snapshot version ${String(snapshot.version)}`);
    const store = new MemoryBanStore();
    const records = snapshot.bans.map((b) => ({
      record: {
        ip: b.ip,
        ruleId: b.ruleId,
        atMs: Date.parse(b.at),
        untilMs: b.until === null ? Infinity : Date.parse(b.until),
        banNumber: b.banNumber,
      },
      active: b.active,
    }));
    records.sort((a, b) => a.record.atMs - b.record.atMs);
    for (const { record, active } of records) {
      store.add(record);
      if (!active) store.lift(record.ip);
    }
    return store;
  }
}
