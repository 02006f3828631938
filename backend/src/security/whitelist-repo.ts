/** The whitelist edited through the API (table whitelist); the configuration file's entries are not stored. */
import type { Queryable } from '../db';
import { canonicalBlock } from './cidr';

export interface WhitelistEntry {
  /** Canonical address or block. */
  ip: string;
  reason: string;
  actor: string;
  createdAt: string;
  /** null: until removed. */
  expiresAt: string | null;
}

interface Row {
  ip: string;
  reason: string;
  actor: string;
  created_at: Date;
  expires_at: Date | null;
}

const COLUMNS = 'abbrev(entry) AS ip, reason, actor, created_at, expires_at';

const toEntry = (row: Row): WhitelistEntry => ({
  ip: canonicalBlock(row.ip) ?? row.ip,
  reason: row.reason,
  actor: row.actor,
  createdAt: row.created_at.toISOString(),
  expiresAt: row.expires_at?.toISOString() ?? null,
});

/** Entries that have not expired, by address. */
export async function listWhitelist(db: Queryable): Promise<WhitelistEntry[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM whitelist WHERE expires_at IS NULL OR expires_at > now() ORDER BY entry`
  );
  return rows.map(toEntry);
}

/** Adds an entry, or replaces the reason, actor and expiry of an existing one. */
export async function upsertWhitelist(
  db: Queryable,
  entry: { ip: string; reason: string; actor: string; expiresAt: Date | null }
): Promise<{ entry: WhitelistEntry; created: boolean }> {
  // xmax is 0 for a row this statement inserted, the locking transaction's id for one it updated.
  const { rows } = await db.query<Row & { created: boolean }>(
    `INSERT INTO whitelist (entry, reason, actor, expires_at) VALUES ($1::inet, $2, $3, $4::timestamptz)
     ON CONFLICT (entry) DO UPDATE
       SET reason = excluded.reason, actor = excluded.actor, expires_at = excluded.expires_at,
           created_at = CASE WHEN whitelist.expires_at <= now() THEN now() ELSE whitelist.created_at END
     RETURNING ${COLUMNS}, xmax = 0 AS created`,
    [entry.ip, entry.reason, entry.actor, entry.expiresAt?.toISOString() ?? null]
  );
  const row = rows[0] as Row & { created: boolean };
  return { entry: toEntry(row), created: row.created };
}

/** Removes an entry; null when there was none (or it had expired). */
export async function removeWhitelist(db: Queryable, ip: string): Promise<WhitelistEntry | null> {
  const { rows } = await db.query<Row>(
    `DELETE FROM whitelist WHERE entry = $1::inet RETURNING ${COLUMNS}, (expires_at IS NULL OR expires_at > now()) AS live`,
    [ip]
  );
  const row = rows[0] as (Row & { live: boolean }) | undefined;
  return row?.live ? toEntry(row) : null;
}

/** Deletes expired entries and returns them (each to one process only). */
export async function deleteExpiredWhitelist(db: Queryable): Promise<WhitelistEntry[]> {
  const { rows } = await db.query<Row>(`DELETE FROM whitelist WHERE expires_at <= now() RETURNING ${COLUMNS}`);
  return rows.map(toEntry);
}

/** When the next entry expires (ms), or Infinity. */
export async function nextWhitelistExpiry(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ next: Date | null }>(
    'SELECT min(expires_at) AS next FROM whitelist WHERE expires_at IS NOT NULL'
  );
  return rows[0]?.next?.getTime() ?? Infinity;
}
