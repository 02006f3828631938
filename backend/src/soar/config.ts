/**
 * The `autoBlocker` section of soar-config.yml (format of the seeds, semantics in issue 4 and README.md):
 * validated here so that every error names its key, e.g. `soar-config.yml: autoBlocker.rules[2].threshold`.
 */
import { fail, integer, mapping } from '../config/values';
import { normalizeCidr } from '../net/ip';
import { DEFAULT_AUTO_BLOCKER } from './config-defaults';
import { EVENT_TYPE_PATTERN, JAIL_PATTERN } from './event';

export const RuleAction = { banTemp: 'ban_temp', banPerm: 'ban_perm', alert: 'alert' } as const;
export type RuleAction = (typeof RuleAction)[keyof typeof RuleAction];
export const Severity = { low: 'low', medium: 'medium', high: 'high', critical: 'critical' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/** All given keys must hold; a list holds when any of its values does. `{}` matches every event. */
export interface RuleMatch {
  event?: string[];
  status?: number[];
  /** Upper case. */
  method?: string[];
  pathPrefix?: string;
}

export interface AutoBlockerRule {
  /** Also usable as a Fail2ban jail name and a metric label. */
  id: string;
  name: string;
  match: RuleMatch;
  threshold: number;
  windowMs: number;
  /** Seconds, before escalation. */
  duration: number;
  action: RuleAction;
  severity: Severity;
}

export interface Escalation {
  factor: number;
  /** Seconds: no temporary ban lasts longer. */
  maxDuration: number;
  /** The n-th ban within permanentWindowMs is permanent; 0 never makes one permanent. */
  permanentAfter: number;
  permanentWindowMs: number;
}

export interface AutoBlockerConfig {
  /** Normalized addresses and CIDR blocks, never counted nor banned. */
  whitelist: string[];
  escalation: Escalation;
  rules: AutoBlockerRule[];
}

const DAY_MS = 86_400_000;

function list<T>(value: unknown, key: string, item: (v: unknown, key: string) => T): T[] {
  if (!Array.isArray(value)) fail(key, 'must be a list', value);
  return value.map((v, i) => item(v, `${key}[${i}]`));
}

function text(value: unknown, key: string, pattern?: RegExp): string {
  if (typeof value !== 'string' || value === '' || (pattern && !pattern.test(value))) {
    fail(key, pattern ? `must match ${pattern.source}` : 'must be a non-empty string', value);
  }
  return value;
}

function choice<T extends string>(value: unknown, key: string, choices: Record<string, T>, fallback: T): T {
  if (value === undefined) return fallback;
  const all = Object.values(choices);
  if (!all.includes(value as T)) fail(key, `must be one of ${all.join(', ')}`, value);
  return value as T;
}

function parseMatch(raw: unknown, key: string): RuleMatch {
  if (raw === undefined || raw === null) return {};
  const m = mapping(raw, key, ['event', 'status', 'method', 'pathPrefix']);
  const match: RuleMatch = {};
  if (m.event !== undefined) match.event = list(m.event, `${key}.event`, (v, k) => text(v, k, EVENT_TYPE_PATTERN));
  if (m.status !== undefined) match.status = list(m.status, `${key}.status`, (v, k) => integer(v, k, 100, 599, 0));
  if (m.method !== undefined) {
    match.method = list(m.method, `${key}.method`, (v, k) => text(v, k, /^[A-Za-z]{1,16}$/).toUpperCase());
  }
  if (m.pathPrefix !== undefined) match.pathPrefix = text(m.pathPrefix, `${key}.pathPrefix`);
  return match;
}

function parseRule(raw: unknown, key: string): AutoBlockerRule {
  const r = mapping(raw, key, ['id', 'name', 'match', 'threshold', 'windowMs', 'duration', 'action', 'severity']);
  const id = text(r.id, `${key}.id`, JAIL_PATTERN);
  const action = choice(r.action, `${key}.action`, RuleAction, RuleAction.banTemp);
  // Fail2ban's defaults (maxretry 5, findtime 10m, bantime 10m), so that nobody has to relearn them.
  return {
    id,
    name: r.name === undefined ? id : text(r.name, `${key}.name`),
    match: parseMatch(r.match, `${key}.match`),
    threshold: integer(r.threshold, `${key}.threshold`, 1, 1_000_000, 5),
    windowMs: integer(r.windowMs, `${key}.windowMs`, 1, 365 * DAY_MS, 600_000),
    duration: integer(r.duration, `${key}.duration`, 1, 3650 * 86_400, 600),
    action,
    severity: choice(r.severity, `${key}.severity`, Severity, Severity.medium),
  };
}

function parseEscalation(raw: unknown, key: string): Escalation {
  const defaults = DEFAULT_AUTO_BLOCKER.escalation;
  if (raw === undefined) return { ...defaults };
  const e = mapping(raw, key, ['factor', 'maxDuration', 'permanentAfter', 'permanentWindowMs']);
  const factor = e.factor ?? defaults.factor;
  if (typeof factor !== 'number' || !(factor >= 1 && factor <= 1000)) {
    fail(`${key}.factor`, 'must be a number from 1 to 1000', factor);
  }
  return {
    factor,
    maxDuration: integer(e.maxDuration, `${key}.maxDuration`, 1, 3650 * 86_400, defaults.maxDuration),
    permanentAfter: integer(e.permanentAfter, `${key}.permanentAfter`, 0, 1000, defaults.permanentAfter),
    permanentWindowMs: integer(
      e.permanentWindowMs,
      `${key}.permanentWindowMs`,
      1,
      3650 * DAY_MS,
      defaults.permanentWindowMs
    ),
  };
}

function parseCidr(value: unknown, key: string): string {
  const normalized = typeof value === 'string' ? normalizeCidr(value.trim()) : null;
  return normalized ?? fail(key, 'must be an IPv4 or IPv6 address or CIDR block', value);
}

/**
 * Validates the `autoBlocker` section; `where` prefixes the keys in errors (`soar-config.yml: autoBlocker`).
 * An absent section, whitelist or rule list takes the shipped defaults (the seeds' jails); `rules: []` has none.
 */
export function parseAutoBlockerConfig(raw: unknown, where = 'autoBlocker'): AutoBlockerConfig {
  if (raw === undefined || raw === null) return structuredClone(DEFAULT_AUTO_BLOCKER);
  const section = mapping(raw, where, ['whitelist', 'escalation', 'rules']);
  const rules =
    section.rules === undefined
      ? structuredClone(DEFAULT_AUTO_BLOCKER.rules)
      : list(section.rules, `${where}.rules`, parseRule);
  const seen = new Map<string, number>();
  rules.forEach((rule, i) => {
    const first = seen.get(rule.id);
    if (first !== undefined) fail(`${where}.rules[${i}].id`, `repeats the id of rules[${first}]`, rule.id);
    seen.set(rule.id, i);
  });
  return {
    whitelist:
      section.whitelist === undefined
        ? [...DEFAULT_AUTO_BLOCKER.whitelist]
        : list(section.whitelist, `${where}.whitelist`, parseCidr),
    escalation: parseEscalation(section.escalation, `${where}.escalation`),
    rules,
  };
}
