/**
 * Writing bans: the decisions of a batch (with their enforcement rows, in the batch's transaction), manual bans,
 * lifts, and expiries. Every end of a ban queues an `unban` for the adapters that enforced it, unless another ban
 * of the same address or block is still in force.
 */
import type { Queryable } from '../db';
import { canonicalBlock } from './cidr';

/** A ban to record; `untilMs` is Infinity for a permanent ban. */
export interface NewBan {
  id: string;
  /** Canonical address or block. */
  ip: string;
  ruleId: string;
  source: string;
  reason: string | null;
  actor: string;
  severity: string | null;
  eventId: string | null;
  atMs: number;
  untilMs: number;
  banNumber: number;
}

/** A ban that ended (lifted or expired), as the caller reports it. */
export interface EndedBan {
  id: string;
  ip: string;
  ruleId: string;
  untilMs: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Queues the `unban` of every adapter that enforced (or may have enforced) these bans; cancels pending `ban`s. */
export async function enqueueUnban(db: Queryable, banIds: readonly string[]): Promise<void> {
  if (banIds.length === 0) return;
  // The data-modifying CTE runs once whether referenced or not; the INSERT sees the rows as they were before it,
  // so a `ban` that was pending after a failed attempt (which may have banned, e.g. on a timeout) is undone too.
  await db.query(
    `WITH cancelled AS (
       UPDATE ban_enforcement SET state = 'cancelled', lease_until = NULL, updated_at = now()
        WHERE ban_id = ANY($1::uuid[]) AND action = 'ban' AND state = 'pending'
       RETURNING ban_id
     )
     INSERT INTO ban_enforcement (ban_id, adapter, action, state)
     SELECT e.ban_id, e.adapter, 'unban', 'pending' FROM ban_enforcement e
      WHERE e.ban_id = ANY($1::uuid[]) AND e.action = 'ban'
        AND (e.state IN ('running', 'done') OR (e.state = 'pending' AND e.attempts > 0))
     ON CONFLICT DO NOTHING`,
    [banIds]
  );
}

/**
 * Records bans (in the caller's transaction) and queues their enforcement by `adapters`. A ban that has already
 * ended when recorded (events replayed late) is stored as ended and enforced by no one. `supersede` lifts the
 * bans in force of the same address or block (an admin's new ban replaces the old one, which stays enforced).
 */
export async function insertBans(
  db: Queryable,
  bans: readonly NewBan[],
  adapters: readonly string[],
  options: { supersede?: boolean } = {}
): Promise<void> {
  if (bans.length === 0) return;
  const column = <T>(pick: (ban: NewBan) => T) => bans.map(pick);
  if (options.supersede) {
    await db.query(
      `UPDATE bans o SET lifted_at = now(), lifted_by = n.actor, lift_reason = 'superseded by ban ' || n.id
         FROM unnest($1::uuid[], $2::inet[], $3::text[]) AS n(id, ip, actor)
        WHERE o.ip = n.ip AND o.lifted_at IS NULL AND (o.until IS NULL OR o.until > now())`,
      [column((b) => b.id), column((b) => b.ip), column((b) => b.actor)]
    );
  }
  await db.query(
    `INSERT INTO bans (id, ip, rule_id, source, reason, actor, severity, event_id, "at", until, ban_number, ended_at)
     SELECT id, ip, rule_id, source, reason, actor, severity, event_id, "at", until, ban_number,
            CASE WHEN until <= now() THEN now() END
       FROM unnest($1::uuid[], $2::inet[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[],
                   $9::timestamptz[], $10::timestamptz[], $11::int4[])
         AS t(id, ip, rule_id, source, reason, actor, severity, event_id, "at", until, ban_number)
     ON CONFLICT (id) DO NOTHING`,
    [
      column((b) => b.id),
      column((b) => b.ip),
      column((b) => b.ruleId),
      column((b) => b.source),
      column((b) => b.reason),
      column((b) => b.actor),
      column((b) => b.severity),
      column((b) => b.eventId),
      column((b) => iso(b.atMs)),
      column((b) => (Number.isFinite(b.untilMs) ? iso(b.untilMs) : null)),
      column((b) => b.banNumber),
    ]
  );
  if (adapters.length === 0) return;
  await db.query(
    `INSERT INTO ban_enforcement (ban_id, adapter, action, state)
     SELECT b.id, a.adapter, 'ban', 'pending' FROM bans b, unnest($2::text[]) AS a(adapter)
      WHERE b.id = ANY($1::uuid[]) AND b.ended_at IS NULL
     ON CONFLICT DO NOTHING`,
    [column((b) => b.id), adapters]
  );
}

interface EndedRow {
  id: string;
  ip: string;
  rule_id: string;
  until: Date | null;
}

const toEnded = (row: EndedRow): EndedBan => ({
  id: row.id,
  ip: canonicalBlock(row.ip) ?? row.ip,
  ruleId: row.rule_id,
  untilMs: row.until === null ? Infinity : row.until.getTime(),
});

const ENDED_COLUMNS = 'id::text AS id, abbrev(ip) AS ip, rule_id, until';

/** Lifts the bans in force of exactly this address or block (normally one); queues their unban. */
export function liftBans(db: Queryable, block: string, by: string, reason: string): Promise<EndedBan[]> {
  return liftWhere(db, 'ip = $1::inet', block, by, reason);
}

/** Lifts the bans in force of addresses and blocks inside `block` (it was whitelisted); queues their unban. */
export function liftBansWithin(db: Queryable, block: string, by: string, reason: string): Promise<EndedBan[]> {
  return liftWhere(db, 'ip <<= $1::inet', block, by, reason);
}

async function liftWhere(db: Queryable, target: string, block: string, by: string, reason: string) {
  const { rows } = await db.query<EndedRow>(
    `UPDATE bans SET lifted_at = now(), lifted_by = $2, lift_reason = $3
      WHERE ${target} AND lifted_at IS NULL AND (until IS NULL OR until > now())
     RETURNING ${ENDED_COLUMNS}`,
    [block, by, reason]
  );
  await enqueueUnban(
    db,
    rows.map((r) => r.id)
  );
  return rows.map(toEnded);
}

/**
 * Marks up to `limit` bans past their end as ended and queues their unban; each is claimed by one process only
 * (SKIP LOCKED), so the auto-unban runs once however many processes share the database.
 */
export async function expireDueBans(db: Queryable, limit = 500): Promise<EndedBan[]> {
  const { rows } = await db.query<EndedRow>(
    `UPDATE bans SET ended_at = now()
      WHERE id IN (SELECT id FROM bans WHERE lifted_at IS NULL AND ended_at IS NULL AND until <= now()
                    ORDER BY until LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING ${ENDED_COLUMNS}`,
    [limit]
  );
  await enqueueUnban(
    db,
    rows.map((r) => r.id)
  );
  return rows.map(toEnded);
}
