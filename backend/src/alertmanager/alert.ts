/**
 * An alert of an Alertmanager notification, as this backend records it: its key (fingerprint, start, status), the
 * address it is about (if any), its audit entry and the security event made from it. Plain functions, no Fastify.
 */
import { createHash } from 'node:crypto';
import type { AuditEventInput } from '../audit/entry';
import { normalizeIp } from '../net/ip';
import type { AlertmanagerAlert } from '../schemas/alertmanager';
import type { EventSeverity } from '../security/severity';
import { bareEvent, type SecurityEvent } from '../soar/event';

export const AlertStatus = { firing: 'firing', resolved: 'resolved' } as const;
export type AlertStatus = (typeof AlertStatus)[keyof typeof AlertStatus];

/** Event types of the security events made from alerts (listed in security/severity.ts KNOWN_EVENT_TYPES). */
export const ALERT_EVENT_TYPE: Record<AlertStatus, string> = {
  firing: 'alertmanager.alert.firing',
  resolved: 'alertmanager.alert.resolved',
};

/** Labels that name the address an alert is about, in order of preference. `instance` is a scrape target, not one. */
export const ADDRESS_LABELS = ['ip', 'source_ip', 'src_ip', 'client_ip'] as const;

/** Values of the metric's `severity` label: the usual ones of alert rules; anything else is `other`. */
export const SEVERITY_LABELS = ['critical', 'warning', 'info', 'none'] as const;

/** Longest label or annotation value copied into a security event's message. */
const MSG_LIMIT = 1024;

export interface AlertRecordInput {
  fingerprint: string;
  status: AlertStatus;
  startsAt: Date;
  /** null while firing. */
  endsAt: Date | null;
  alertname: string | null;
  severity: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorUrl: string | null;
  receiver: string;
  groupKey: string;
  /** Normalized address of the first address label that holds one. */
  ip: string | null;
  reportedBy: string;
}

/** RFC 3339 to a Date; Go's zero time (0001-01-01T00:00:00Z, "unset") and anything unparsable to null. */
export function alertTime(value: string): Date | null {
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || new Date(ms).getUTCFullYear() <= 1) return null;
  return new Date(ms);
}

export function alertAddress(labels: Record<string, string>): string | null {
  for (const name of ADDRESS_LABELS) {
    const value = labels[name];
    const ip = value === undefined ? null : normalizeIp(value);
    if (ip !== null) return ip;
  }
  return null;
}

/** The alert as stored; `startsAt` must be a time (the route's schema checks the format, this the year). */
export function toRecordInput(
  alert: AlertmanagerAlert,
  notification: { receiver: string; groupKey: string },
  reportedBy: string
): AlertRecordInput | { error: string } {
  const startsAt = alertTime(alert.startsAt);
  if (startsAt === null) return { error: 'startsAt must be a date-time after year 1' };
  const endsAt = alertTime(alert.endsAt);
  if (alert.status === AlertStatus.resolved && endsAt === null) {
    return { error: 'endsAt must be a date-time when status is resolved' };
  }
  return {
    fingerprint: alert.fingerprint,
    status: alert.status,
    startsAt,
    endsAt: alert.status === AlertStatus.resolved ? endsAt : null,
    alertname: alert.labels.alertname ?? null,
    severity: alert.labels.severity ?? null,
    labels: alert.labels,
    annotations: alert.annotations,
    generatorUrl: alert.generatorURL === undefined || alert.generatorURL === '' ? null : alert.generatorURL,
    receiver: notification.receiver,
    groupKey: notification.groupKey,
    ip: alertAddress(alert.labels),
    reportedBy,
  };
}

/** The bounded `severity` label of soar_alerts_received_total. */
export function severityLabel(severity: string | null): string {
  if (severity === null || severity === '') return 'none';
  const lower = severity.toLowerCase();
  return (SEVERITY_LABELS as readonly string[]).includes(lower) ? lower : 'other';
}

/**
 * The security event's severity: a resolution is routine (`info`); a firing alert's follows its severity label
 * (critical, high/error/page, warning, info), `medium` when it has none the backend knows.
 */
export function eventSeverity(input: Pick<AlertRecordInput, 'status' | 'severity'>): EventSeverity {
  if (input.status === AlertStatus.resolved) return 'info';
  switch (input.severity?.toLowerCase()) {
    case 'critical':
      return 'critical';
    case 'high':
    case 'error':
    case 'page':
      return 'high';
    case 'info':
    case 'low':
      return 'low';
    default:
      return 'medium';
  }
}

/** The key of an alert delivery: every redelivery of it has the same. */
export const alertKey = (input: Pick<AlertRecordInput, 'fingerprint' | 'startsAt' | 'status'>): string =>
  `alertmanager|${input.fingerprint}|${input.startsAt.toISOString()}|${input.status}`;

/** The audit entry id of an alert: derived from its key, so a redelivery cannot add a second entry. */
export function alertAuditId(input: Pick<AlertRecordInput, 'fingerprint' | 'startsAt' | 'status'>): string {
  const hex = createHash('sha256').update(alertKey(input)).digest('hex');
  // RFC 9562 version 8 (custom) UUID from the hash.
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function alertAuditEntry(input: AlertRecordInput, reporter: string): AuditEventInput {
  return {
    id: alertAuditId(input),
    username: input.reportedBy,
    userId: input.reportedBy,
    action: ALERT_EVENT_TYPE[input.status],
    resource: 'alert',
    resourceId: input.fingerprint,
    ip: reporter,
    status: 'success',
    metadata: {
      source: 'alertmanager',
      alertname: input.alertname,
      severity: input.severity,
      startsAt: input.startsAt.toISOString(),
      endsAt: input.endsAt?.toISOString() ?? null,
      ...(input.ip !== null && { alertIp: input.ip }),
      labels: input.labels,
      annotations: input.annotations,
      receiver: input.receiver,
      groupKey: input.groupKey,
      ...(input.generatorUrl !== null && { generatorURL: input.generatorUrl }),
    },
  };
}

/** The security event of an alert about an address (`ip` set): at its start, or at its end once resolved. */
export function alertEvent(input: AlertRecordInput & { ip: string }): SecurityEvent {
  const at = input.status === AlertStatus.resolved && input.endsAt !== null ? input.endsAt : input.startsAt;
  const summary = input.annotations.summary ?? input.annotations.description;
  const msg = [input.alertname ?? 'alert', summary].filter((part) => part !== undefined && part !== '').join(': ');
  return bareEvent(at.getTime(), ALERT_EVENT_TYPE[input.status], input.ip, msg.slice(0, MSG_LIMIT));
}
