/**
 * What the security service writes to the audit trail: security-relevant events (action = the event type), every
 * decision of the auto-blocker, every end of a ban, and every admin action with who did it and why.
 */
import type { AuditEventInput } from '../audit/entry';
import type { Decision } from '../soar/decision';
import type { StoredEvent } from './event-store';

/** The actor of the auto-blocker's own decisions and of auto-unbans. */
export const AUTO_BLOCKER_ACTOR = 'soar:auto-blocker';

/** RFC 8785 needs well-formed Unicode: a lone surrogate (valid in JSON text) becomes U+FFFD. */
const wellFormed = (value: string | null): string | undefined =>
  value === null ? undefined : value.isWellFormed() ? value : value.toWellFormed();

const FAILURE_TYPE = /\.(failed|failure|denied|unauthorized|invalid|detected|blocked)$/;

export function eventEntry(row: StoredEvent): AuditEventInput {
  const e = row.event;
  const failed = (e.status !== null && e.status >= 400) || FAILURE_TYPE.test(e.event);
  return {
    timestamp: e.time,
    username: wellFormed(e.user),
    action: e.event,
    resource: 'security-event',
    resourceId: row.id,
    method: e.method ?? undefined,
    path: wellFormed(e.path),
    ip: e.ip,
    userAgent: wellFormed(e.userAgent),
    status: failed ? 'failure' : 'success',
    statusCode: e.status ?? undefined,
    metadata: {
      severity: row.severity,
      outcome: row.outcome,
      source: row.source,
      ...(row.ruleId === null ? {} : { ruleId: row.ruleId }),
      ...(e.jail === null ? {} : { jail: e.jail }),
      ...(e.msg === null ? {} : { msg: wellFormed(e.msg) }),
      ...(e.bytes === null ? {} : { bytes: e.bytes }),
    },
  };
}

const isoOrNull = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);

/** A ban or alert of the auto-blocker (`banId` null for an alert). */
export function decisionEntry(decision: Decision, banId: string | null, eventId: string | null, source: string) {
  const entry: AuditEventInput = {
    username: AUTO_BLOCKER_ACTOR,
    userId: AUTO_BLOCKER_ACTOR,
    action: decision.action === 'ban' ? 'soar.ban' : 'soar.alert',
    resource: decision.action === 'ban' ? 'ban' : 'alert',
    resourceId: banId ?? undefined,
    ip: decision.ip,
    status: 'success',
    metadata: {
      ruleId: decision.ruleId,
      severity: decision.severity,
      at: new Date(decision.atMs).toISOString(),
      ...(decision.action === 'ban'
        ? { until: isoOrNull(decision.untilMs), duration: decision.duration, banNumber: decision.banNumber }
        : {}),
      ...(eventId === null ? {} : { eventId }),
      source,
    },
  };
  return entry;
}

/** An action taken by someone (or by the service itself, e.g. an auto-unban), with its reason. */
export function actionEntry(input: {
  action: string;
  resource: string;
  resourceId?: string;
  ip?: string;
  actor: string;
  role?: string;
  reason?: string;
  details?: Record<string, unknown>;
}): AuditEventInput {
  return {
    username: input.actor,
    userId: input.actor,
    action: input.action,
    resource: input.resource,
    resourceId: input.resourceId,
    ip: input.ip !== undefined && !input.ip.includes('/') ? input.ip : undefined,
    status: 'success',
    metadata: {
      ...(input.ip === undefined ? {} : { target: input.ip }),
      ...(input.role === undefined ? {} : { role: input.role }),
      ...(input.reason === undefined ? {} : { reason: wellFormed(input.reason) }),
      ...input.details,
    },
  };
}
