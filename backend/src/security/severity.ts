/**
 * How serious an ingested event is, on its own (not what the auto-blocker made of it): the severity of the rules
 * that name its type, else of a known type, else `info`; a refused request (401, 403) is at least `low`. Events
 * above `info` are the security-relevant ones: written to the audit trail, streamed, counted as suspicious.
 */
import type { AutoBlockerConfig } from '../soar/config';

export const EventSeverity = {
  info: 'info',
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'critical',
} as const;
export type EventSeverity = (typeof EventSeverity)[keyof typeof EventSeverity];
export const EVENT_SEVERITIES: readonly EventSeverity[] = Object.values(EventSeverity);

/** Types the stack itself emits or the seeds name; the metric's `type` label takes these and the rules' types. */
export const KNOWN_EVENT_TYPES: Readonly<Record<string, EventSeverity>> = {
  'http.request': 'info',
  'auth.login.success': 'info',
  'auth.login.failed': 'medium',
  'auth.token.invalid': 'medium',
  'admin.operation.unauthorized': 'high',
  'network.scan.detected': 'high',
  'fail2ban.ban': 'medium',
  'fail2ban.unban': 'info',
  'audit.integrity.failed': 'critical',
  'soar.infraction': 'medium',
  // Alerts Alertmanager delivers (alertmanager/): the severity of each is its own, from its severity label.
  'alertmanager.alert.firing': 'medium',
  'alertmanager.alert.resolved': 'info',
};

/** The label for event types outside the bounded set. */
export const OTHER_TYPE = 'other';
const MAX_CACHED_TYPES = 4096;
const RANK: Record<EventSeverity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export const isRelevant = (severity: EventSeverity): boolean => severity !== EventSeverity.info;

export function maxSeverity(a: EventSeverity, b: EventSeverity): EventSeverity {
  return RANK[a] >= RANK[b] ? a : b;
}

export class EventClassifier {
  private readonly byRuleType = new Map<string, EventSeverity>();
  private readonly cache = new Map<string, EventSeverity>();
  private readonly labels: ReadonlySet<string>;

  constructor(config: AutoBlockerConfig) {
    for (const rule of config.rules) {
      for (const type of rule.match.event ?? []) {
        const known = this.byRuleType.get(type);
        this.byRuleType.set(type, known === undefined ? rule.severity : maxSeverity(known, rule.severity));
      }
    }
    this.labels = new Set([...Object.keys(KNOWN_EVENT_TYPES), ...this.byRuleType.keys()]);
  }

  severity(type: string, status: number | null): EventSeverity {
    let base = this.cache.get(type);
    if (base === undefined) {
      base = this.byRuleType.get(type) ?? KNOWN_EVENT_TYPES[type] ?? EventSeverity.info;
      if (this.cache.size >= MAX_CACHED_TYPES) this.cache.clear();
      this.cache.set(type, base);
    }
    return base === EventSeverity.info && (status === 401 || status === 403) ? EventSeverity.low : base;
  }

  /** The metric label for a type: itself when known or named by a rule, else `other` (bounded cardinality). */
  typeLabel(type: string): string {
    return this.labels.has(type) ? type : OTHER_TYPE;
  }
}
