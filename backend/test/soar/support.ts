import { parseAutoBlockerConfig, type AutoBlockerConfig } from '../../src/soar/config';
import { RuleEngine, type Decision, type EngineOptions } from '../../src/soar/engine';
import type { RuleInput } from '../../src/soar/event';

export const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
export const MIN = 60_000;

/** An auto-blocker configuration as a YAML section would give it (validated the same way). */
export function blockerConfig(section: Record<string, unknown>): AutoBlockerConfig {
  return parseAutoBlockerConfig({ whitelist: [], ...section });
}

export function event(
  ms: number,
  ip: string,
  type = 'auth.login.failed',
  extra: Partial<Omit<RuleInput, 'timeMs' | 'ip' | 'event'>> = {}
): RuleInput {
  return { timeMs: T0 + ms, ip, event: type, method: null, status: null, path: null, ...extra };
}

/** An engine that records its decisions. */
export function engineWith(
  config: AutoBlockerConfig,
  options: EngineOptions = {}
): { engine: RuleEngine; decisions: Decision[] } {
  const decisions: Decision[] = [];
  const engine = new RuleEngine(config, { ...options, onDecision: (d) => decisions.push(d) });
  return { engine, decisions };
}

/** One rule counting failed logins: `threshold` within `windowMs` bans for `duration` seconds. */
export function authRule(threshold: number, windowMs: number, duration = 3600, id = 'auth') {
  return { id, match: { event: ['auth.login.failed'] }, threshold, windowMs, duration };
}
