/**
 * The auto-blocker's rule engine, shared by the live path and `cartae-secops replay`. Semantics (issue 4):
 * 1. events are taken in order, at their own `time`;
 * 2. a whitelisted IP is never counted nor banned; a banned IP (t < until, or permanent) is ignored by every
 *    rule and its events count as blocked;
 * 3. per matching rule the IP's times `ts` with `t − ts < windowMs` are kept and `t` added; at `threshold` the
 *    first such rule in file order bans, and the ban clears all the IP's windows. An `alert` rule that reaches
 *    its threshold first emits an alert and clears only its own window; rules after a ban are not evaluated;
 * 4. ban number n = 1 + the IP's bans within `permanentWindowMs` before t; duration =
 *    min(duration × factor^(n−1), maxDuration) seconds, permanent when n ≥ permanentAfter or `ban_perm`.
 */
import type { AutoBlockerConfig } from './config';
import { MemoryBanStore, type BanRecord, type BanStore } from './ban-store';
import { Outcome, type Decision, type EngineOptions, type RuleStats } from './decision';
import type { RuleInput } from './event';
import { EventWindow } from './event-window';
import { RuleIndex, type CompiledRule } from './rules';
import { Whitelist } from './whitelist';

export { Outcome, type Decision, type EngineOptions, type RuleStats } from './decision';

interface IpState {
  /** False once forgotten (idle or evicted): an AddressSlot may still point to it. */
  live: boolean;
  whitelisted: boolean;
  /** End of the IP's last ban as the store said when the state was made, or as this engine changed it since. */
  bannedUntil: number;
  lastSeen: number;
  windows: (EventWindow | undefined)[];
}

export class RuleEngine {
  readonly store: BanStore;
  events = 0;
  whitelisted = 0;
  blocked = 0;
  private whitelist: Whitelist;
  private readonly index: RuleIndex;
  private readonly states = new Map<string, IpState>();
  private readonly maxWindowMs: number;
  private readonly maxTrackedIps: number;
  private readonly keepIdleIps: number;
  private nextSweepAt = -Infinity;

  constructor(
    private readonly config: AutoBlockerConfig,
    private readonly options: EngineOptions = {}
  ) {
    this.store = options.store ?? new MemoryBanStore();
    this.whitelist = new Whitelist(config.whitelist);
    this.index = new RuleIndex(config.rules);
    this.maxWindowMs = Math.max(60_000, ...config.rules.map((rule) => rule.windowMs));
    this.maxTrackedIps = options.maxTrackedIps ?? 1_000_000;
    this.keepIdleIps = options.keepIdleIps ?? 65_536;
  }

  /** Runs one event through the rules. The event is read only during the call. */
  process(ev: RuleInput): Outcome {
    const t = ev.timeMs;
    this.events++;
    if (t >= this.nextSweepAt) this.sweep(t);
    const state = this.stateFor(ev, t);
    const refused = this.refused(state, ev.ip, t);
    if (refused !== null) return refused;
    let outcome: Outcome = Outcome.ignored;
    const rules = this.index.forType(ev.event);
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as CompiledRule;
      if (!rule.matchesRest(ev)) continue;
      const result = this.hit(rule, ev.ip, t, state);
      if (result === Outcome.banned) return result;
      if (result === Outcome.alerted || outcome === Outcome.ignored) outcome = result;
    }
    return outcome;
  }

  /**
   * Counts one infraction for a rule whatever its `match` (the seeds' `reportInfraction`), under the same
   * whitelist, ban and window rules. Throws on an unknown rule id.
   */
  reportInfraction(ip: string, ruleId: string, timeMs: number): Outcome {
    const rule = this.index.byId(ruleId);
    if (rule === undefined) throw new Error(`unknown rule: ${ruleId}`);
    const state = this.stateOf(ip, timeMs);
    return this.refused(state, ip, timeMs) ?? this.hit(rule, ip, timeMs, state);
  }

  /**
   * Records a ban decided elsewhere (an admin's, or one restored from the database); change bans through the
   * engine rather than its store, so that the IPs it tracks see the change at once.
   */
  addBan(ban: BanRecord): void {
    this.store.add(ban);
    const state = this.states.get(ban.ip);
    if (state === undefined) return;
    state.bannedUntil = ban.untilMs;
    for (const window of state.windows) window?.clear(); // as any ban does
  }

  /** Lifts the ban in force (a manual unban); escalation still counts it. */
  lift(ip: string): BanRecord | undefined {
    const state = this.states.get(ip);
    if (state !== undefined) state.bannedUntil = 0;
    return this.store.lift(ip);
  }

  /** Replaces the whitelist (the API edits it); IPs already tracked are checked again. */
  setWhitelist(entries: readonly string[]): void {
    this.whitelist = new Whitelist(entries);
    for (const [ip, state] of this.states) state.whitelisted = this.whitelist.has(ip);
  }

  ruleStats(): RuleStats[] {
    return this.index.rules.map(({ id, matched, decisions }) => ({ id, matched, decisions }));
  }

  /** IPs tracked: idle ones are forgotten past `keepIdleIps`, and there are never more than `maxTrackedIps`. */
  get trackedIps(): number {
    return this.states.size;
  }

  /**
   * Forgets windows that can no longer count (no event for longer than the longest window) when more than
   * `keepIdleIps` IPs are tracked, and ban history older than the escalation window; reports ended bans. Runs
   * by itself as event time advances.
   */
  sweep(now: number): void {
    this.nextSweepAt = now + this.maxWindowMs;
    const idleSince = now - this.maxWindowMs;
    if (this.states.size > this.keepIdleIps) {
      for (const [ip, state] of this.states) {
        if (state.lastSeen > idleSince) continue;
        state.live = false;
        this.states.delete(ip);
      }
    }
    const ended = this.store.expire(now, now - this.config.escalation.permanentWindowMs);
    if (ended.length > 0) this.options.onExpired?.(ended);
  }

  /** The event's IP state, through its AddressSlot when it brings one that this engine filled. */
  private stateFor(ev: RuleInput, t: number): IpState {
    const slot = ev.slot;
    if (slot === undefined) return this.stateOf(ev.ip, t);
    // Only this engine stores in `state` the slots it owns, and it stores IpState objects.
    const cached = slot.owner === this ? (slot.state as IpState) : null;
    if (cached !== null && cached.live) return cached;
    const state = this.stateOf(ev.ip, t);
    slot.owner = this;
    slot.state = state;
    return state;
  }

  private stateOf(ip: string, t: number): IpState {
    let state = this.states.get(ip);
    if (state === undefined) {
      if (this.states.size >= this.maxTrackedIps) this.evict();
      state = {
        live: true,
        whitelisted: this.whitelist.has(ip),
        bannedUntil: this.store.bannedUntil(ip, t),
        lastSeen: t,
        windows: [],
      };
      this.states.set(ip, state);
    }
    return state;
  }

  /** Under a flood of distinct addresses: drops the oldest tenth (Map order is insertion order). */
  private evict(): void {
    let drop = Math.ceil(this.maxTrackedIps / 10);
    for (const [ip, state] of this.states) {
      if (drop-- === 0) break;
      state.live = false;
      this.states.delete(ip);
    }
  }

  /** Whitelisted or banned: the event counts for no rule. */
  private refused(state: IpState, ip: string, t: number): Outcome | null {
    state.lastSeen = t;
    if (state.whitelisted) {
      this.whitelisted++;
      return Outcome.whitelisted;
    }
    if (state.bannedUntil !== 0 && t < state.bannedUntil) {
      this.blocked++;
      return Outcome.blocked;
    }
    return null;
  }

  /** Counts `t` for a matching rule; at the threshold, bans or alerts. */
  private hit(rule: CompiledRule, ip: string, t: number, state: IpState): Outcome {
    rule.matched++;
    if (this.count(state, rule, t) < rule.threshold) return Outcome.counted;
    if (rule.action !== 'alert') {
      this.ban(rule, ip, t, state);
      return Outcome.banned;
    }
    state.windows[rule.index]?.clear();
    const alert: Decision = {
      action: 'alert',
      ip,
      ruleId: rule.id,
      severity: rule.severity,
      atMs: t,
      duration: 0,
      banNumber: 0,
      untilMs: t,
    };
    this.decide(rule, alert);
    return Outcome.alerted;
  }

  private count(state: IpState, rule: CompiledRule, t: number): number {
    if (rule.threshold === 1) return 1;
    let window = state.windows[rule.index];
    if (window === undefined) {
      while (state.windows.length < rule.index) state.windows.push(undefined);
      window = new EventWindow(rule.threshold);
      state.windows[rule.index] = window;
    }
    return window.add(t, rule.windowMs);
  }

  private ban(rule: CompiledRule, ip: string, t: number, state: IpState): void {
    const { factor, maxDuration, permanentAfter, permanentWindowMs } = this.config.escalation;
    const banNumber = 1 + this.store.bansSince(ip, t - permanentWindowMs);
    const permanent = rule.action === 'ban_perm' || (permanentAfter > 0 && banNumber >= permanentAfter);
    const duration = permanent ? -1 : Math.min(Math.round(rule.duration * factor ** (banNumber - 1)), maxDuration);
    const untilMs = permanent ? Infinity : t + duration * 1000;
    for (const window of state.windows) window?.clear();
    state.bannedUntil = untilMs;
    this.store.add({ ip, ruleId: rule.id, atMs: t, untilMs, banNumber });
    this.decide(rule, {
      action: 'ban',
      ip,
      ruleId: rule.id,
      severity: rule.severity,
      atMs: t,
      duration,
      banNumber,
      untilMs,
    });
  }

  private decide(rule: CompiledRule, decision: Decision): void {
    rule.decisions++;
    this.options.onDecision?.(decision);
  }
}
