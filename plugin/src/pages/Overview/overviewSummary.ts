import { dateTimeFormatTimeAgo } from '@grafana/data';
import type { AuditIntegrity, SecurityStats } from '../../api/types';
import type { StatTone } from '../../components/StatCard/StatCard';

/** The event type of a failed login, as applications and the shipped log filters send it. */
export const FAILED_LOGIN_TYPE = 'auth.login.failed';

export function failedLogins(stats: SecurityStats): number {
  return stats.byType.find((entry) => entry.type === FAILED_LOGIN_TYPE)?.count ?? 0;
}

/** Events above `info`: the ones the backend treats as security-relevant (audited, streamed, counted). */
export function suspiciousActivities(stats: SecurityStats): number {
  const routine = stats.bySeverity.find((entry) => entry.severity === 'info')?.count ?? 0;
  return stats.total - routine;
}

export interface IntegritySummary {
  value: string;
  detail: string;
  tone: StatTone;
}

/** The audit trail's status as a person reads it: valid, or invalid from which entry, and when it was checked. */
export function integritySummary(integrity: AuditIntegrity): IntegritySummary {
  const { latest } = integrity;
  if (integrity.status === 'unknown' || !latest) {
    return {
      value: 'Not verified yet',
      detail: 'Run "Verify chain" on the Audit log page to check the whole trail.',
      tone: 'warning',
    };
  }
  const checked = `checked ${dateTimeFormatTimeAgo(latest.finishedAt)}`;
  if (integrity.status === 'invalid') {
    const where = latest.firstInvalid ? `first bad entry: seq ${latest.firstInvalid.seq}` : 'first bad entry unknown';
    return { value: 'Invalid', detail: `${where}; ${checked}`, tone: 'error' };
  }
  const overdue = integrity.overdue ? ' (overdue: verify again)' : '';
  return {
    value: 'Valid',
    detail: `${latest.checked} entries, ${checked}${overdue}`,
    tone: integrity.overdue ? 'warning' : 'success',
  };
}
