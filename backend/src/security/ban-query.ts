/**
 * Reading bans: the state the live engine rebuilds at start-up and refreshes from other processes, the API's pages
 * (active or history, newest first) with each adapter's enforcement state, and the counts behind the metrics.
 */
import type { Queryable } from '../db';
import { BadRequestError } from '../errors';
import { canonicalBlock } from './cidr';
import type { EnforcementState } from './enforcement';

/** A ban as the live engine needs it. `untilMs` is Infinity when permanent. */
export interface BanState {
  id: string;
  ip: string;
  ruleId: string;
  atMs: number;
  untilMs: number;
  banNumber: number;
  /** Lifted by someone (an ended ban is not "lifted": its time ran out). */
  lifted: boolean;
  /** When a process stored it. */
  recordedMs: number;
}

interface StateRow {
  id: string;
  ip: string;
  rule_id: string;
  at: Date;
  until: Date | null;
  ban_number: number;
  lifted: boolean;
  recorded_at: Date;
}

const STATE_COLUMNS = `id::text AS id, abbrev(ip) AS ip, rule_id, "at", until, ban_number, lifted_at IS NOT NULL AS lifted,
  recorded_at`;

const toState = (row: StateRow): BanState => ({
  id: row.id,
  ip: canonicalBlock(row.ip) ?? row.ip,
  ruleId: row.rule_id,
  atMs: row.at.getTime(),
  untilMs: row.until === null ? Infinity : row.until.getTime(),
  banNumber: row.ban_number,
  lifted: row.lifted,
  recordedMs: row.recorded_at.getTime(),
});

/** Bans in force, and every ban that started after `historySinceMs` (escalation counts them), oldest first. */
export async function loadBanStates(db: Queryable, historySinceMs: number): Promise<BanState[]> {
  const { rows } = await db.query<StateRow>(
    `SELECT ${STATE_COLUMNS} FROM bans
      WHERE "at" > $1::timestamptz OR (lifted_at IS NULL AND (until IS NULL OR until > now()))
      ORDER BY "at", id`,
    [new Date(historySinceMs).toISOString()]
  );
  return rows.map(toState);
}

/** Bans recorded or lifted at or after `sinceMs` (by any process), oldest first. */
export async function banChangesSince(db: Queryable, sinceMs: number): Promise<BanState[]> {
  const { rows } = await db.query<StateRow>(
    `SELECT ${STATE_COLUMNS} FROM bans WHERE recorded_at >= $1::timestamptz
     UNION
     SELECT ${STATE_COLUMNS} FROM bans WHERE lifted_at >= $1::timestamptz
     ORDER BY "at", id`,
    [new Date(sinceMs).toISOString()]
  );
  return rows.map(toState);
}

export const BanListState = { active: 'active', history: 'history', all: 'all' } as const;
export type BanListState = (typeof BanListState)[keyof typeof BanListState];

export interface EnforcementRecord {
  adapter: string;
  action: 'ban' | 'unban';
  state: EnforcementState;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  updatedAt: string;
}

export interface BanRecordView {
  id: string;
  ip: string;
  ruleId: string;
  source: string;
  reason: string | null;
  actor: string;
  severity: string | null;
  eventId: string | null;
  at: string;
  /** null: permanent. */
  until: string | null;
  /** Seconds; -1 when permanent. */
  duration: number;
  banNumber: number;
  active: boolean;
  endedAt: string | null;
  liftedAt: string | null;
  liftedBy: string | null;
  liftReason: string | null;
  enforcement: EnforcementRecord[];
}

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const ACTIVE = `(b.lifted_at IS NULL AND (b.until IS NULL OR b.until > now()))`;
const VIEW_COLUMNS = `b.id::text AS id, abbrev(b.ip) AS ip, b.rule_id AS "ruleId", b.source, b.reason, b.actor,
  b.severity, b.event_id::text AS "eventId", ${iso('b."at"')} AS "at", ${iso('b.until')} AS until,
  CASE WHEN b.until IS NULL THEN -1 ELSE round(extract(epoch FROM b.until - b."at"))::int8 END AS duration,
  b.ban_number AS "banNumber", ${ACTIVE} AS active, ${iso('b.ended_at')} AS "endedAt",
  ${iso('b.lifted_at')} AS "liftedAt", b.lifted_by AS "liftedBy", b.lift_reason AS "liftReason",
  (SELECT coalesce(json_agg(json_build_object('adapter', e.adapter, 'action', e.action, 'state', e.state,
     'attempts', e.attempts, 'lastError', e.last_error,
     'nextAttemptAt', CASE WHEN e.state IN ('pending', 'running') THEN ${iso('e.next_attempt_at')} END,
     'updatedAt', ${iso('e.updated_at')}) ORDER BY e.adapter, e.action DESC), '[]'::json)
     FROM ban_enforcement e WHERE e.ban_id = b.id) AS enforcement,
  to_char(b."at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorTs"`;

type ViewRow = BanRecordView & { cursorTs: string };
const toView = ({ cursorTs: _cursorTs, ...row }: ViewRow): BanRecordView => ({
  ...row,
  ip: canonicalBlock(row.ip) ?? row.ip,
});

const CURSOR = /^\d{4,6}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z\|[0-9a-f-]{36}$/;

/** Bans newest first ("at" DESC, id DESC), `state` active (in force), history (ended or lifted) or all. */
export async function listBans(
  db: Queryable,
  query: { state: BanListState; ip?: string; limit: number; cursor?: string }
): Promise<{ bans: BanRecordView[]; nextCursor: string | null }> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (query.state === 'active') where.push(ACTIVE);
  if (query.state === 'history') where.push(`NOT ${ACTIVE}`);
  if (query.ip !== undefined) where.push(`b.ip <<= $${params.push(query.ip)}::inet`);
  if (query.cursor !== undefined) {
    const decoded = Buffer.from(query.cursor, 'base64url').toString('utf8');
    if (!CURSOR.test(decoded)) throw new BadRequestError('cursor is not one this API returned');
    const [at, id] = decoded.split('|') as [string, string];
    where.push(`(b."at", b.id) < ($${params.push(at)}::timestamptz, $${params.push(id)}::uuid)`);
  }
  const { rows } = await db.query<ViewRow>(
    `SELECT ${VIEW_COLUMNS} FROM bans b WHERE ${where.length > 0 ? where.join(' AND ') : 'TRUE'}
      ORDER BY b."at" DESC, b.id DESC LIMIT $${params.push(query.limit + 1)}`,
    params
  );
  const last = rows.length > query.limit ? rows[query.limit - 1] : undefined;
  return {
    bans: rows.slice(0, query.limit).map(toView),
    nextCursor: last ? Buffer.from(`${last.cursorTs}|${last.id}`).toString('base64url') : null,
  };
}

export async function getBans(db: Queryable, ids: readonly string[]): Promise<BanRecordView[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<ViewRow>(
    `SELECT ${VIEW_COLUMNS} FROM bans b WHERE b.id = ANY($1::uuid[]) ORDER BY b."at" DESC, b.id DESC`,
    [ids]
  );
  return rows.map(toView);
}

/** Bans in force now, and addresses or blocks banned at any moment of the last 24 hours (all processes). */
export async function banCounts(db: Queryable): Promise<{ active: number; blockedIps24h: number }> {
  const { rows } = await db.query<{ active: number; blocked: number }>(
    `SELECT count(*) FILTER (WHERE ${ACTIVE})::int8 AS active, count(DISTINCT b.ip)::int8 AS blocked
       FROM bans b
      WHERE coalesce(b.lifted_at, b.until, 'infinity') > now() - interval '24 hours'`
  );
  return { active: rows[0]?.active ?? 0, blockedIps24h: rows[0]?.blocked ?? 0 };
}
