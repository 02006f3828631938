/**
 * Recording one Alertmanager notification: every alert in the audit trail and in soar_alerts, once per
 * (fingerprint, startsAt, status); an alert about an address also as a security event through the auto-blocker.
 * A redelivery changes nothing. Plain TypeScript: the route passes the database, the trail and the pipeline.
 */
import { AuditInputError } from '../audit/entry';
import type { AuditSink } from '../audit/store';
import type { Queryable } from '../db';
import { BadRequestError } from '../errors';
import type { AlertmanagerNotification, AlertmanagerResponse } from '../schemas/alertmanager';
import type { EventSeverity } from '../security/severity';
import type { SecurityEvent } from '../soar/event';
import { alertAuditEntry, alertEvent, eventSeverity, toRecordInput, type AlertRecordInput } from './alert';
import { deleteAlert, findAlert, insertAlert, setAlertEvent } from './store';

export interface AlertRecorderDeps {
  db: Queryable;
  audit: Pick<AuditSink, 'append'>;
  /** Runs the event through the security pipeline and resolves with its id once it is stored. */
  recordEvent(event: SecurityEvent, severity: EventSeverity): Promise<string>;
  /** Told of each alert this call recorded (not of redeliveries). */
  onRecorded?(input: AlertRecordInput): void;
}

export interface Reporter {
  /** The caller, e.g. `token:ingest`. */
  user: string;
  /** The address the notification came from. */
  ip: string;
}

/** Appends the alert's entry; an entry an earlier delivery appended (same id) is fine. */
async function audit(deps: AlertRecorderDeps, input: AlertRecordInput, reporter: Reporter): Promise<void> {
  try {
    await deps.audit.append([alertAuditEntry(input, reporter.ip)]);
  } catch (err) {
    if (!(err instanceof AuditInputError && err.field === 'id')) throw err;
  }
}

/**
 * Validates every alert first (400 naming `alerts[i].field`: nothing is recorded), then records each in order. The
 * audit entry comes first: its id makes it idempotent, so a row is never stored unaudited. When the security event
 * of a new row cannot be stored, the row is removed again and the error thrown: Alertmanager retries a 5xx, and the
 * retry records the alert completely.
 */
export async function recordNotification(
  deps: AlertRecorderDeps,
  notification: AlertmanagerNotification,
  reporter: Reporter
): Promise<AlertmanagerResponse> {
  const inputs = notification.alerts.map((alert, i) => {
    const input = toRecordInput(alert, notification, reporter.user);
    if ('error' in input) throw new BadRequestError(`alerts[${i}].${input.error}`);
    return input;
  });
  await Promise.all(inputs.map((input) => audit(deps, input, reporter)));

  const response: AlertmanagerResponse = { recorded: 0, duplicates: 0, alerts: [] };
  for (const input of inputs) {
    const outcome = {
      fingerprint: input.fingerprint,
      status: input.status,
      startsAt: input.startsAt.toISOString(),
      recorded: false,
      ip: input.ip,
      eventId: null as string | null,
    };
    const id = await insertAlert(deps.db, input);
    if (id === null) {
      const stored = await findAlert(deps.db, input);
      outcome.eventId = stored?.eventId ?? null;
      response.duplicates++;
      response.alerts.push(outcome);
      continue;
    }
    if (input.ip !== null) {
      try {
        outcome.eventId = await deps.recordEvent(alertEvent({ ...input, ip: input.ip }), eventSeverity(input));
      } catch (err) {
        await deleteAlert(deps.db, id).catch(() => undefined);
        throw err;
      }
      await setAlertEvent(deps.db, id, outcome.eventId);
    }
    outcome.recorded = true;
    response.recorded++;
    response.alerts.push(outcome);
    deps.onRecorded?.(input);
  }
  return response;
}
