/**
 * Table soar_alerts (migration 0009): one row per (fingerprint, starts_at, status). Parameterized SQL over
 * `Queryable`, no Fastify.
 */
import type { Queryable } from '../db';
import { storableText } from '../security/event-store';
import type { AlertRecordInput } from './alert';

/** JSON for a jsonb column: PostgreSQL rejects \u0000 in jsonb text, as in text. */
const storableJson = (value: Record<string, string>): string => storableText(JSON.stringify(value));

/** Inserts the alert unless its key is stored; the new row's id, or null when an earlier delivery stored it. */
export async function insertAlert(db: Queryable, input: AlertRecordInput): Promise<number | null> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO soar_alerts (fingerprint, starts_at, status, ends_at, alertname, severity, labels, annotations,
       generator_url, receiver, group_key, ip, reported_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11, $12, $13)
     ON CONFLICT (fingerprint, starts_at, status) DO NOTHING
     RETURNING id`,
    [
      input.fingerprint,
      input.startsAt,
      input.status,
      input.endsAt,
      input.alertname === null ? null : storableText(input.alertname),
      input.severity === null ? null : storableText(input.severity),
      storableJson(input.labels),
      storableJson(input.annotations),
      input.generatorUrl === null ? null : storableText(input.generatorUrl),
      storableText(input.receiver),
      storableText(input.groupKey),
      input.ip,
      input.reportedBy,
    ]
  );
  return rows[0] === undefined ? null : Number(rows[0].id);
}

/** The security event stored for the alert. */
export async function setAlertEvent(db: Queryable, id: number, eventId: string): Promise<void> {
  await db.query('UPDATE soar_alerts SET event_id = $2 WHERE id = $1', [id, eventId]);
}

/** Removes a row whose security event could not be stored, so that the sender's retry records the alert again. */
export async function deleteAlert(db: Queryable, id: number): Promise<void> {
  await db.query('DELETE FROM soar_alerts WHERE id = $1', [id]);
}

export interface StoredAlertEvent {
  eventId: string | null;
  ip: string | null;
}

/** What an earlier delivery stored for the alert's key (null when nothing). */
export async function findAlert(
  db: Queryable,
  key: Pick<AlertRecordInput, 'fingerprint' | 'startsAt' | 'status'>
): Promise<StoredAlertEvent | null> {
  const { rows } = await db.query<{ event_id: string | null; ip: string | null }>(
    'SELECT event_id, host(ip) AS ip FROM soar_alerts WHERE fingerprint = $1 AND starts_at = $2 AND status = $3',
    [key.fingerprint, key.startsAt, key.status]
  );
  return rows[0] === undefined ? null : { eventId: rows[0].event_id, ip: rows[0].ip };
}
