/**
 * Reading security_events: filters, keyset pages newest first (along security_events_time, or the type, address or
 * user index), one event by id. Parameterized SQL over `Queryable`, no Fastify.
 */
import { BadRequestError } from '../errors';
import type { Queryable } from '../db';
import { parseAuditFilter } from '../audit/query';
import { normalizeIp } from '../net/ip';
import type { Outcome } from '../soar/decision';
import type { SecurityEvent } from '../soar/event';
import type { EventSeverity } from './severity';

export interface SecurityEventFilter {
  type?: string;
  /** Normalized address or CIDR block. */
  ip?: string;
  user?: string;
  from?: Date;
  to?: Date;
  severity?: EventSeverity;
  outcome?: Outcome;
}

export type SecurityEventFilterInput = Omit<SecurityEventFilter, 'from' | 'to'> & { from?: string; to?: string };

/** A stored event: the canonical fields (its type as `type`) and what the pipeline made of it. */
export interface SecurityEventRecord extends Omit<SecurityEvent, 'timeMs' | 'event'> {
  id: string;
  type: string;
  severity: EventSeverity;
  outcome: Outcome;
  ruleId: string | null;
  source: string;
  receivedAt: string;
}

export interface SecurityEventPage {
  events: SecurityEventRecord[];
  nextCursor: string | null;
}

export const DEFAULT_EVENT_PAGE = 50;

/** Validates filters given as strings (empty ones are ignored); throws a 400 error naming the bad one. */
export function parseEventFilter(input: SecurityEventFilterInput): SecurityEventFilter {
  const given = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value);
  // The audit trail's parser checks addresses, blocks and date-times with the same messages.
  const { ip, from, to } = parseAuditFilter({ ip: given(input.ip), from: given(input.from), to: given(input.to) });
  const filter: SecurityEventFilter = { ip, from, to };
  const type = given(input.type);
  const user = given(input.user);
  if (type !== undefined) filter.type = type;
  if (user !== undefined) filter.user = user;
  if (input.severity !== undefined) filter.severity = input.severity;
  if (input.outcome !== undefined) filter.outcome = input.outcome;
  return filter;
}

function buildWhere(filter: SecurityEventFilter, params: unknown[]): string {
  const add = (value: unknown) => `$${params.push(value)}`;
  const conditions: string[] = [];
  if (filter.type !== undefined) conditions.push(`type = ${add(filter.type)}`);
  if (filter.ip !== undefined) conditions.push(`ip <<= ${add(filter.ip)}::inet`);
  if (filter.user !== undefined) conditions.push(`"user" = ${add(filter.user)}`);
  if (filter.from !== undefined) conditions.push(`"time" >= ${add(filter.from.toISOString())}::timestamptz`);
  if (filter.to !== undefined) conditions.push(`"time" <= ${add(filter.to.toISOString())}::timestamptz`);
  if (filter.severity !== undefined) conditions.push(`severity = ${add(filter.severity)}`);
  if (filter.outcome !== undefined) conditions.push(`outcome = ${add(filter.outcome)}`);
  return conditions.length === 0 ? 'TRUE' : conditions.join(' AND ');
}

const iso = (column: string, precision: 'MS' | 'US' = 'MS') =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.${precision}"Z"')`;

const COLUMNS = `id::text AS id, ${iso('"time"')} AS "time", type, host(ip) AS ip, "user", method, path, status,
  user_agent AS "userAgent", bytes, msg, jail, severity, outcome, rule_id AS "ruleId", source,
  ${iso('received_at')} AS "receivedAt", ${iso('"time"', 'US')} AS "cursorTs"`;

type Row = SecurityEventRecord & { cursorTs: string };

function toRecord({ cursorTs: _cursorTs, ...row }: Row): SecurityEventRecord {
  return { ...row, ip: normalizeIp(row.ip) ?? row.ip };
}

const CURSOR_TIME = /^\d{4,6}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function encodeCursor(time: string, id: string): string {
  return Buffer.from(JSON.stringify([time, id])).toString('base64url');
}

function decodeCursor(value: string): [string, string] {
  let decoded: unknown;
  try {
    decoded = /^[A-Za-z0-9_-]+$/.test(value) ? JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) : null;
  } catch {
    decoded = null;
  }
  const [time, id] = Array.isArray(decoded) ? (decoded as unknown[]) : [];
  if (typeof time !== 'string' || !CURSOR_TIME.test(time) || typeof id !== 'string' || !UUID.test(id)) {
    throw new BadRequestError('cursor is not one this API returned');
  }
  return [time, id];
}

/** One page of events matching `filter`, newest first ("time" DESC, id DESC), after `cursor`. */
export async function listSecurityEvents(
  db: Queryable,
  filter: SecurityEventFilter,
  page: { limit: number; cursor?: string }
): Promise<SecurityEventPage> {
  const params: unknown[] = [];
  let where = buildWhere(filter, params);
  if (page.cursor !== undefined) {
    const [time, id] = decodeCursor(page.cursor);
    where += ` AND ("time", id) < ($${params.push(time)}::timestamptz, $${params.push(id)}::uuid)`;
  }
  const limit = `$${params.push(page.limit + 1)}`;
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM security_events WHERE ${where}
      ORDER BY security_events."time" DESC, id DESC LIMIT ${limit}`,
    params
  );
  const last = rows.length > page.limit ? rows[page.limit - 1] : undefined;
  return {
    events: rows.slice(0, page.limit).map(toRecord),
    nextCursor: last ? encodeCursor(last.cursorTs, last.id) : null,
  };
}

/** The event with this id (a UUID, checked by the route), or null. */
export async function getSecurityEvent(db: Queryable, id: string): Promise<SecurityEventRecord | null> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM security_events WHERE id = $1::uuid`, [id]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export interface EventCounts {
  counts: { type: string; severity: EventSeverity; count: number }[];
  topIps: { ip: string; events: number; blocked: number }[];
}

/** Events per type and severity in [from, to], and the addresses with the most events (blocked ones apart). */
export async function countEvents(db: Queryable, from: Date, to: Date, top = 10): Promise<EventCounts> {
  const range = [from.toISOString(), to.toISOString()];
  const counts = await db.query<EventCounts['counts'][number]>(
    `SELECT type, severity, count(*)::int8 AS count FROM security_events
      WHERE "time" >= $1::timestamptz AND "time" <= $2::timestamptz GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
    range
  );
  const topIps = await db.query<EventCounts['topIps'][number]>(
    `SELECT host(ip) AS ip, count(*)::int8 AS events,
            count(*) FILTER (WHERE outcome IN ('blocked', 'banned'))::int8 AS blocked
       FROM security_events WHERE "time" >= $1::timestamptz AND "time" <= $2::timestamptz
      GROUP BY ip ORDER BY 2 DESC, 1 LIMIT $3`,
    [...range, top]
  );
  return {
    counts: counts.rows,
    topIps: topIps.rows.map((row) => ({ ...row, ip: normalizeIp(row.ip) ?? row.ip })),
  };
}
