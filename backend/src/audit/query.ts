/**
 * Reading the audit trail: filters, keyset pages (newest first, along idx_audit_timestamp), one entry by id,
 * and counts per bucket. Parameterized SQL over `Queryable`, no Fastify, so the read API and the CSV/JSON
 * export run the same queries.
 */
import { BadRequestError } from '../errors';
import type { Queryable } from '../db';
import { normalizeCidr } from '../net/ip';
import type { AuditEventDetail, AuditEventRecord, AuditStatsBucket } from '../schemas/audit-read';
import type { AuditStatus } from './entry';

/** Exactly the expression idx_audit_search indexes (migration 0003), so the planner can use the index. */
const SEARCH_VECTOR = `to_tsvector('simple'::regconfig,
    coalesce(action, '') || ' ' || coalesce(resource, '') || ' ' || coalesce(resource_id, '') || ' ' ||
    coalesce(username, '') || ' ' || coalesce(path, '') || ' ' || coalesce(error_message, ''))`;

/** Filters on the trail; every field given narrows the result (AND). */
export interface AuditFilter {
  /** Matches `username` or `user_id` exactly. */
  user?: string;
  action?: string;
  resource?: string;
  /** An address or CIDR block, normalized (see `normalizeCidr`); matches addresses inside it. */
  ip?: string;
  /** Inclusive bounds on "timestamp". */
  from?: Date;
  to?: Date;
  status?: AuditStatus;
  /** Full text, web-search syntax ("quoted phrase", -excluded, or). */
  q?: string;
}

/** The same filters as strings, as a query string or a CLI carries them; empty strings mean "not given". */
export type AuditFilterInput = { [K in keyof AuditFilter]?: K extends 'from' | 'to' ? string : AuditFilter[K] };

/** Invalid filter, cursor or range: the caller's mistake (400 over HTTP). */
export class AuditQueryError extends BadRequestError {
  override name = 'AuditQueryError';
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_STATS_DAYS = 30;

export const StatsGroupBy = { day: 'day', action: 'action', resource: 'resource' } as const;
export type StatsGroupBy = (typeof StatsGroupBy)[keyof typeof StatsGroupBy];

export interface AuditEventPage {
  events: AuditEventRecord[];
  /** Pass back as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

// RFC 3339 with a zone: a zone-less time would be read in the server's local time zone.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

function parseTime(name: string, value: string): Date {
  const date = new Date(value);
  if (!DATE_TIME.test(value) || Number.isNaN(date.getTime())) {
    throw new AuditQueryError(`${name} must be an ISO 8601 date-time such as 2024-05-01T00:00:00Z (got "${value}")`);
  }
  return date;
}

/** Validates and normalizes filters given as strings; throws AuditQueryError naming the bad one. */
export function parseAuditFilter(input: AuditFilterInput): AuditFilter {
  const given = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value);
  const filter: AuditFilter = {};
  for (const key of ['user', 'action', 'resource', 'q'] as const) {
    const value = given(input[key]);
    if (value !== undefined) filter[key] = value;
  }
  if (input.status !== undefined) filter.status = input.status;
  const ip = given(input.ip);
  if (ip !== undefined) {
    const cidr = normalizeCidr(ip.trim());
    if (cidr === null) throw new AuditQueryError(`ip must be an IPv4 or IPv6 address or CIDR block (got "${ip}")`);
    filter.ip = cidr;
  }
  const from = given(input.from);
  const to = given(input.to);
  if (from !== undefined) filter.from = parseTime('from', from);
  if (to !== undefined) filter.to = parseTime('to', to);
  if (filter.from && filter.to && filter.from > filter.to) throw new AuditQueryError('from must not be after to');
  return filter;
}

/**
 * The WHERE condition for `filter`, its values appended to `params` (so it composes with other parameters:
 * placeholders continue from `params.length`). "TRUE" when nothing is filtered.
 */
export function buildAuditWhere(filter: AuditFilter, params: unknown[] = []): { where: string; params: unknown[] } {
  const conditions: string[] = [];
  const add = (value: unknown) => `$${params.push(value)}`;
  if (filter.user !== undefined) {
    const p = add(filter.user);
    conditions.push(`(username = ${p} OR user_id = ${p})`);
  }
  if (filter.action !== undefined) conditions.push(`action = ${add(filter.action)}`);
  if (filter.resource !== undefined) conditions.push(`resource = ${add(filter.resource)}`);
  if (filter.ip !== undefined) conditions.push(`ip_address <<= ${add(filter.ip)}::inet`);
  if (filter.from !== undefined) conditions.push(`"timestamp" >= ${add(filter.from.toISOString())}::timestamptz`);
  if (filter.to !== undefined) conditions.push(`"timestamp" <= ${add(filter.to.toISOString())}::timestamptz`);
  if (filter.status !== undefined) conditions.push(`status = ${add(filter.status)}`);
  if (filter.q !== undefined) conditions.push(`${SEARCH_VECTOR} @@ websearch_to_tsquery('simple', ${add(filter.q)})`);
  return { where: conditions.length === 0 ? 'TRUE' : conditions.join(' AND '), params };
}

/** Position after a row: its timestamp in UTC with microseconds (exact, unlike a JS Date) and its seq. */
export interface AuditCursor {
  timestamp: string;
  seq: number;
}

const CURSOR_TIME = /^\d{4,6}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function encodeCursor(cursor: AuditCursor): string {
  return Buffer.from(JSON.stringify([cursor.timestamp, cursor.seq])).toString('base64url');
}

export function decodeCursor(value: string): AuditCursor {
  let decoded: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new Error('not base64url');
    decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw new AuditQueryError('cursor is not one this API returned');
  const [timestamp, seq] = decoded as unknown[];
  if (typeof timestamp !== 'string' || !CURSOR_TIME.test(timestamp) || !Number.isSafeInteger(seq) || Number(seq) < 0) {
    throw new AuditQueryError('cursor is not one this API returned');
  }
  return { timestamp, seq: Number(seq) };
}

// Selected in the API's shape: ISO timestamps with milliseconds (as the writer stores them), hashes in hex,
// host() drops the /32 or /128 suffix. cursorTs keeps the microseconds a cursor needs to be exact.
const UTC = `"timestamp" AT TIME ZONE 'UTC'`;
const COLUMNS = `seq, id::text AS id, to_char(${UTC}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "timestamp",
  user_id AS "userId", username, action, resource, resource_id AS "resourceId", method, path, query, body,
  host(ip_address) AS ip, user_agent AS "userAgent", status, status_code AS "statusCode",
  response_time AS "responseTime", error_message AS "errorMessage", metadata, encode(leaf_hash, 'hex') AS "leafHash",
  encode(hash_prev, 'hex') AS "hashPrev", encode(hash_current, 'hex') AS "hashCurrent",
  archived_at IS NOT NULL AS archived, to_char(${UTC}, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorTs"`;

type AuditRow = AuditEventRecord & { cursorTs: string };

const toRecord = ({ cursorTs: _cursorTs, ...record }: AuditRow): AuditEventRecord => record;

/** One page of entries matching `filter`, newest first ("timestamp" DESC, seq DESC), after `cursor`. */
export async function listAuditEvents(
  db: Queryable,
  filter: AuditFilter,
  page: { limit: number; cursor?: string }
): Promise<AuditEventPage> {
  if (!Number.isSafeInteger(page.limit) || page.limit < 1) {
    throw new AuditQueryError('limit must be a positive integer');
  }
  const { where, params } = buildAuditWhere(filter);
  let after = '';
  if (page.cursor !== undefined) {
    const cursor = decodeCursor(page.cursor);
    after = ` AND ("timestamp", seq) < ($${params.push(cursor.timestamp)}::timestamptz, $${params.push(cursor.seq)}::int8)`;
  }
  // One row more than asked tells whether another page exists, so the last page says so itself. ORDER BY names
  // the table's column: a bare "timestamp" would mean the text output column of the same name.
  const limit = `$${params.push(page.limit + 1)}`;
  const { rows } = await db.query<AuditRow>(
    `SELECT ${COLUMNS} FROM audit_log WHERE ${where}${after} ORDER BY audit_log."timestamp" DESC, seq DESC LIMIT ${limit}`,
    params
  );
  const last = rows.length > page.limit ? rows[page.limit - 1] : undefined;
  return {
    events: rows.slice(0, page.limit).map(toRecord),
    nextCursor: last ? encodeCursor({ timestamp: last.cursorTs, seq: last.seq }) : null,
  };
}

/** The entry with this id (a UUID, validated by the caller), or null. */
export async function getAuditEvent(db: Queryable, id: string): Promise<AuditEventDetail | null> {
  // canonical as bytea, not encode(…, 'base64'), which wraps lines every 76 characters.
  const { rows } = await db.query<AuditRow & { canonical: Uint8Array | null }>(
    `SELECT ${COLUMNS}, canonical FROM audit_log WHERE id = $1::uuid`,
    [id]
  );
  const row = rows[0];
  if (!row) return null;
  const { canonical: _canonical, ...rest } = row;
  return { ...toRecord(rest), canonical: row.canonical ? Buffer.from(row.canonical).toString('base64') : null };
}

/**
 * Every entry matching `filter` in seq order, with its canonical bytes (base64), read in pages by seq so
 * that memory stays constant however many rows match. Used by the export.
 */
export async function* iterateAuditEvents(
  db: Queryable,
  filter: AuditFilter,
  pageSize = 2000
): AsyncGenerator<AuditEventDetail> {
  let after = -1;
  for (;;) {
    const { where, params } = buildAuditWhere(filter);
    const seq = `$${params.push(after)}::int8`;
    const limit = `$${params.push(pageSize)}`;
    const { rows } = await db.query<AuditRow & { canonical: Uint8Array | null }>(
      `SELECT ${COLUMNS}, canonical FROM audit_log WHERE ${where} AND seq > ${seq} ORDER BY seq LIMIT ${limit}`,
      params
    );
    for (const { canonical, ...rest } of rows) {
      yield { ...toRecord(rest), canonical: canonical ? Buffer.from(canonical).toString('base64') : null };
    }
    if (rows.length < pageSize) return;
    after = (rows[rows.length - 1] as AuditRow).seq;
  }
}

const BUCKET_KEY: Record<StatsGroupBy, string> = {
  day: `to_char(date_trunc('day', "timestamp" AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`,
  action: 'action',
  resource: 'resource',
};

/**
 * Entries and failures per UTC day (oldest first), action or resource (most entries first). Without `to`
 * the range ends now; without `from` it starts DEFAULT_STATS_DAYS before its end. Days without entries are absent.
 */
export async function auditStats(
  db: Queryable,
  filter: AuditFilter,
  groupBy: StatsGroupBy,
  now: Date = new Date()
): Promise<AuditStatsBucket[]> {
  const to = filter.to ?? now;
  const from = filter.from ?? new Date(to.getTime() - DEFAULT_STATS_DAYS * 86_400_000);
  if (from > to) throw new AuditQueryError('from must not be after to');
  const { where, params } = buildAuditWhere({ ...filter, from, to });
  const order = groupBy === StatsGroupBy.day ? 'key' : 'total DESC, key';
  const { rows } = await db.query<AuditStatsBucket>(
    `SELECT ${BUCKET_KEY[groupBy]} AS key, count(*)::int8 AS total,
            count(*) FILTER (WHERE status = 'failure')::int8 AS failures
       FROM audit_log WHERE ${where} GROUP BY 1 ORDER BY ${order}`,
    params
  );
  return rows;
}
