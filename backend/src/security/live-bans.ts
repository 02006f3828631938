/**
 * The live auto-blocker's memory: the rule engine over a MemoryBanStore (synchronous, so events never wait for the
 * database), rebuilt at start-up from the bans stored, fed with the bans other processes store, plus the CIDR bans
 * the engine does not know (it keys bans by address) and the whitelist in force (the file's and the API's).
 */
import { MemoryBanStore, type BanRecord, type BanSnapshot } from '../soar/ban-store';
import type { AutoBlockerConfig } from '../soar/config';
import { Outcome, RuleEngine, type Decision } from '../soar/engine';
import type { RuleInput } from '../soar/event';
import { Whitelist } from '../soar/whitelist';
import type { BanState } from './ban-query';
import { CidrBans, isSingleAddress } from './cidr';

interface ActiveBan {
  id: string;
  atMs: number;
  untilMs: number;
}

export class LiveBans {
  readonly engine: RuleEngine;
  private readonly store: MemoryBanStore;
  private readonly cidr = new CidrBans();
  private whitelist: Whitelist;
  /** The ban in force of each address, as far as this process knows. */
  private readonly active = new Map<string, ActiveBan>();
  /** Ids of bans already applied (own decisions, or read from the database), with when they were learnt. */
  private readonly known = new Map<string, number>();

  constructor(
    readonly config: AutoBlockerConfig,
    states: readonly BanState[],
    onDecision: (decision: Decision) => void,
    now: number = Date.now()
  ) {
    const snapshot: BanSnapshot = { version: 1, bans: [] };
    for (const ban of states) {
      this.known.set(ban.id, now);
      const inForce = !ban.lifted && now < ban.untilMs;
      if (!isSingleAddress(ban.ip)) {
        if (inForce) this.cidr.add({ id: ban.id, block: ban.ip, untilMs: ban.untilMs });
        continue;
      }
      if (inForce) this.active.set(ban.ip, { id: ban.id, atMs: ban.atMs, untilMs: ban.untilMs });
      snapshot.bans.push({
        ip: ban.ip,
        ruleId: ban.ruleId,
        at: new Date(ban.atMs).toISOString(),
        until: Number.isFinite(ban.untilMs) ? new Date(ban.untilMs).toISOString() : null,
        banNumber: ban.banNumber,
        active: inForce,
      });
    }
    this.store = MemoryBanStore.import(snapshot);
    this.engine = new RuleEngine(config, { store: this.store, onDecision });
    this.whitelist = new Whitelist(config.whitelist);
  }

  /** What becomes of an event: blocked by a CIDR ban (unless whitelisted), else the engine's outcome. */
  process(ev: RuleInput): Outcome {
    if (this.cidr.size > 0 && this.cidr.bannedUntil(ev.ip, ev.timeMs) > 0 && !this.whitelist.has(ev.ip)) {
      return Outcome.blocked;
    }
    return this.engine.process(ev);
  }

  /** One infraction for a rule, under the same whitelist and bans. Throws on an unknown rule. */
  reportInfraction(ip: string, ruleId: string, t: number): Outcome {
    if (this.cidr.size > 0 && this.cidr.bannedUntil(ip, t) > 0 && !this.whitelist.has(ip)) return Outcome.blocked;
    return this.engine.reportInfraction(ip, ruleId, t);
  }

  /** The end of the ban in force for an address at `t` (by address or block), or 0. */
  bannedUntil(ip: string, t: number): number {
    return Math.max(this.store.bannedUntil(ip, t), this.cidr.bannedUntil(ip, t));
  }

  /** How many bans of an address started after `since` (escalation). */
  bansSince(ip: string, since: number): number {
    return this.store.bansSince(ip, since);
  }

  isWhitelisted(ip: string): boolean {
    return this.whitelist.has(ip);
  }

  /** Replaces the whitelist in force (file entries + API entries); tracked addresses are checked again. */
  setWhitelist(entries: readonly string[]): void {
    this.whitelist = new Whitelist(entries);
    this.engine.setWhitelist(entries);
  }

  /** A decision of this process's engine, already in the engine's store. */
  noteDecision(id: string, ban: BanRecord, now: number = Date.now()): void {
    this.known.set(id, now);
    this.active.set(ban.ip, { id, atMs: ban.atMs, untilMs: ban.untilMs });
  }

  /**
   * A ban stored by this process (manual) or read from the database; applying one twice changes nothing. A lifted
   * one ends the ban in force if it is that one. `recent`: stored since the last refresh (else it comes back only
   * because it was lifted since, and was applied, or loaded, before).
   */
  apply(ban: BanState, now: number = Date.now(), recent = true): void {
    if (!this.known.has(ban.id) && recent) {
      this.known.set(ban.id, now);
      this.add(ban);
    }
    if (ban.lifted) this.lift(ban.id, ban.ip);
  }

  /** Ends a ban (lifted, or expired) in this process's memory if it is the one in force. */
  lift(id: string, ip: string): void {
    if (!isSingleAddress(ip)) {
      this.cidr.remove(id);
      return;
    }
    if (this.active.get(ip)?.id !== id) return;
    this.active.delete(ip);
    this.engine.lift(ip);
  }

  /** Forgets ended bans and ids learnt long enough ago that no refresh can return them again. */
  prune(now: number, forgetKnownBefore: number): void {
    this.cidr.expire(now);
    for (const [ip, ban] of this.active) if (ban.untilMs <= now) this.active.delete(ip);
    for (const [id, learnt] of this.known) if (learnt < forgetKnownBefore) this.known.delete(id);
  }

  get activeCount(): number {
    return this.active.size + this.cidr.size;
  }

  private add(ban: BanState): void {
    if (!isSingleAddress(ban.ip)) {
      if (!ban.lifted) this.cidr.add({ id: ban.id, block: ban.ip, untilMs: ban.untilMs });
      return;
    }
    const record: BanRecord = {
      ip: ban.ip,
      ruleId: ban.ruleId,
      atMs: ban.atMs,
      untilMs: ban.untilMs,
      banNumber: ban.banNumber,
    };
    const current = this.active.get(ban.ip);
    if (current !== undefined && current.atMs > ban.atMs) {
      this.store.addHistory(record); // an older ban learnt late: it counts, the newer one stays in force
      return;
    }
    this.engine.addBan(record);
    this.active.set(ban.ip, { id: ban.id, atMs: ban.atMs, untilMs: ban.untilMs });
  }
}
