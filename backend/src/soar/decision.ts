/** What the rule engine decides and reports (engine.ts). */
import type { BanRecord, BanStore } from './ban-store';
import type { RuleAction, Severity } from './config';

export interface Decision {
  action: Extract<RuleAction, 'alert'> | 'ban';
  ip: string;
  ruleId: string;
  severity: Severity;
  atMs: number;
  /** Seconds; -1 for a permanent ban, 0 for an alert. */
  duration: number;
  /** 0 for an alert. */
  banNumber: number;
  /** Infinity for a permanent ban; `atMs` for an alert. */
  untilMs: number;
}

/** What became of one event. */
export const Outcome = {
  whitelisted: 'whitelisted',
  blocked: 'blocked',
  /** No rule matched it. */
  ignored: 'ignored',
  counted: 'counted',
  alerted: 'alerted',
  banned: 'banned',
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

export interface EngineOptions {
  store?: BanStore;
  onDecision?: (decision: Decision) => void;
  /** Bans that ended (auto-unban), reported as event time passes them. */
  onExpired?: (bans: BanRecord[]) => void;
  /** Most IPs with open windows; past it the least recently added are forgotten. */
  maxTrackedIps?: number;
  /**
   * Idle IPs (no event for longer than the longest window) are forgotten only once more than this many IPs are
   * tracked: re-creating the state of an IP that comes back costs more than keeping a few hundred bytes.
   */
  keepIdleIps?: number;
}

export interface RuleStats {
  id: string;
  matched: number;
  decisions: number;
}
