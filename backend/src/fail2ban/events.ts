/**
 * Bans and unbans reported by Fail2ban hosts (table fail2ban_events, migration 0006): recorded once per
 * (jail, ip, action, ban second), read newest first. Parameterized SQL over `Queryable`, no Fastify.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../db';
import { BadRequestError } from '../errors';

export const ReportAction = { ban: 'ban', unban: 'unban', prolong: 'prolong' } as const;
export type ReportAction = (typeof ReportAction)[keyof typeof ReportAction];

/** One report of the action in provisioning/fail2ban/action.d, validated (jail checked, ip normalized). */
export interface Fail2banReport {
  jail: string;
  ip: string;
  action: ReportAction;
  /** Fail2ban's <time>: Unix seconds (with a fraction) when the ban's ticket started; an unban carries its ban's. */
  time: number;
  /** Seconds, -1 permanent (bans and prolongs only). */
  bantime?: number;
  bancount?: number;
  failures?: number;
  restored: boolean;
  /** Address the report came from, and the caller (e.g. `token:ingest`). */
  reporter: string;
  reportedBy: string;
}

export interface Fail2banEventRecord {
  id: number;
  jail: string;
  ip: string;
  action: ReportAction;
  /** The ban's start, ISO 8601. */
  time: string;
  bantime: number | null;
  bancount: number | null;
  failures: number | null;
  restored: boolean;
  reporter: string | null;
  reportedBy: string;
  receivedAt: string;
}

/**
 * `time` rounded as Fail2ban writes it to its database (Python's round(), half to even): a ban restored at
 * start-up reports that integer, which must be the same key as the original report's fraction.
 */
export function banSecond(time: number): number {
  const floor = Math.floor(time);
  const fraction = time - floor;
  if (fraction !== 0.5) return Math.round(time);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The audit entry id of a report: the same for every retry of it, so the trail holds it once. */
export function reportAuditId(report: Pick<Fail2banReport, 'jail' | 'ip' | 'action' | 'time'>): string {
  const key = `fail2ban|${report.jail}|${report.ip}|${report.action}|${banSecond(report.time)}`;
  const hex = createHash('sha256').update(key).digest('hex');
  // RFC 9562 version 8 (custom) UUID from the hash.
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

interface Row {
  id: number;
  jail: string;
  ip: string;
  action: ReportAction;
  ban_time: number;
  bantime: number | null;
  bancount: number | null;
  failures: number | null;
  restored: boolean;
  reporter: string | null;
  reported_by: string;
  received_at: Date;
}

const COLUMNS =
  'id, jail, host(ip) AS ip, action, ban_time, bantime, bancount, failures, restored, host(reporter) AS reporter, ' +
  'reported_by, received_at';

function toRecord(row: Row): Fail2banEventRecord {
  return {
    id: Number(row.id),
    jail: row.jail,
    ip: row.ip,
    action: row.action,
    time: new Date(Math.round(row.ban_time * 1000)).toISOString(),
    bantime: row.bantime === null ? null : Number(row.bantime),
    bancount: row.bancount,
    failures: row.failures,
    restored: row.restored,
    reporter: row.reporter,
    reportedBy: row.reported_by,
    receivedAt: row.received_at.toISOString(),
  };
}

/** The stored event with the report's key, if any. */
export async function findReport(
  db: Queryable,
  report: Pick<Fail2banReport, 'jail' | 'ip' | 'action' | 'time'>
): Promise<Fail2banEventRecord | undefined> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM fail2ban_events WHERE jail = $1 AND ip = $2 AND action = $3 AND ban_second = $4`,
    [report.jail, report.ip, report.action, banSecond(report.time)]
  );
  return rows[0] && toRecord(rows[0]);
}

/** Inserts the report unless its key is stored; `recorded` says whether this call stored it. */
export async function recordReport(
  db: Queryable,
  report: Fail2banReport
): Promise<{ event: Fail2banEventRecord; recorded: boolean }> {
  const { rows } = await db.query<Row>(
    `INSERT INTO fail2ban_events
       (jail, ip, action, ban_time, ban_second, bantime, bancount, failures, restored, reporter, reported_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (jail, ip, action, ban_second) DO NOTHING
     RETURNING ${COLUMNS}`,
    [
      report.jail,
      report.ip,
      report.action,
      report.time,
      banSecond(report.time),
      report.bantime ?? null,
      report.bancount ?? null,
      report.failures ?? null,
      report.restored,
      report.reporter,
      report.reportedBy,
    ]
  );
  if (rows[0]) return { event: toRecord(rows[0]), recorded: true };
  const existing = await findReport(db, report);
  if (!existing) throw new Error('fail2ban event neither inserted nor found');
  return { event: existing, recorded: false };
}

export interface EventsPageOptions {
  limit: number;
  /** nextCursor of the previous page. */
  cursor?: string;
  jail?: string;
  /** Normalized address. */
  ip?: string;
  action?: ReportAction;
}

/** Reported events, newest first (by arrival), one keyset page at a time. */
export async function listReports(
  db: Queryable,
  options: EventsPageOptions
): Promise<{ events: Fail2banEventRecord[]; nextCursor: string | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (options.cursor !== undefined) {
    if (!/^[1-9]\d{0,17}$/.test(options.cursor)) throw new BadRequestError('cursor is not a nextCursor of this list');
    add('id < ?', options.cursor);
  }
  if (options.jail !== undefined) add('jail = ?', options.jail);
  if (options.ip !== undefined) add('ip = ?::inet', options.ip);
  if (options.action !== undefined) add('action = ?', options.action);
  params.push(options.limit + 1);
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM fail2ban_events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY id DESC LIMIT $${params.length}`,
    params
  );
  const events = rows.slice(0, options.limit).map(toRecord);
  const last = events[events.length - 1];
  return { events, nextCursor: rows.length > options.limit && last ? String(last.id) : null };
}
