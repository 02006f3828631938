/** Rules compiled for the hot path: match checks on plain arrays, and per event type the rules that can match. */
import type { AutoBlockerRule, RuleAction, Severity } from './config';
import type { RuleInput } from './event';

export class CompiledRule {
  readonly id: string;
  readonly threshold: number;
  readonly windowMs: number;
  readonly duration: number;
  readonly action: RuleAction;
  readonly severity: Severity;
  readonly events: readonly string[] | null;
  private readonly statuses: readonly number[] | null;
  private readonly methods: readonly string[] | null;
  private readonly pathPrefix: string | null;
  /** Events that matched (and were counted), decisions taken: the engine's statistics. */
  matched = 0;
  decisions = 0;

  constructor(
    readonly index: number,
    rule: AutoBlockerRule
  ) {
    this.id = rule.id;
    this.threshold = rule.threshold;
    this.windowMs = rule.windowMs;
    this.duration = rule.duration;
    this.action = rule.action;
    this.severity = rule.severity;
    this.events = rule.match.event ?? null;
    this.statuses = rule.match.status ?? null;
    this.methods = rule.match.method ?? null;
    this.pathPrefix = rule.match.pathPrefix ?? null;
  }

  /** The match keys other than `event` (which `RuleIndex` has already checked). The path is read last. */
  matchesRest(ev: RuleInput): boolean {
    if (this.statuses !== null && (ev.status === null || !this.statuses.includes(ev.status))) return false;
    if (this.methods !== null && (ev.method === null || !this.methods.includes(ev.method))) return false;
    if (this.pathPrefix === null) return true;
    const path = ev.path;
    return path !== null && path.startsWith(this.pathPrefix);
  }
}

/** Most distinct event types remembered; past it the cache starts over (types are few in practice). */
const MAX_CACHED_TYPES = 4096;

export class RuleIndex {
  readonly rules: readonly CompiledRule[];
  private readonly byType = new Map<string, readonly CompiledRule[]>();
  private lastType = '';
  private lastRules: readonly CompiledRule[] = [];

  constructor(rules: readonly AutoBlockerRule[]) {
    this.rules = rules.map((rule, i) => new CompiledRule(i, rule));
  }

  /** The rules whose `event` list allows this type, in file order. */
  forType(type: string): readonly CompiledRule[] {
    // Consecutive events mostly share a type (and the log reader hands out one string per type).
    if (type === this.lastType) return this.lastRules;
    let rules = this.byType.get(type);
    if (rules === undefined) {
      rules = this.rules.filter((rule) => rule.events === null || rule.events.includes(type));
      if (this.byType.size >= MAX_CACHED_TYPES) this.byType.clear();
      this.byType.set(type, rules);
    }
    this.lastType = type;
    this.lastRules = rules;
    return rules;
  }

  byId(id: string): CompiledRule | undefined {
    return this.rules.find((rule) => rule.id === id);
  }
}
