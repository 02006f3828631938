import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Queryable } from '../db';

export interface InstanceRow {
  id: string;
  hostname: string;
  pid: number;
  version: string;
  startedAt: Date;
  lastSeenAt: Date;
  stoppedAt: Date | null;
}

export interface Instance extends InstanceRow {
  /** Seen within three heartbeats and not stopped. */
  alive: boolean;
}

/** One backend process, as recorded in the `instances` table. */
export class InstanceRegistry {
  readonly id = randomUUID();

  constructor(
    private readonly db: Queryable,
    private readonly version: string
  ) {}

  async register(): Promise<void> {
    await this.db.query('INSERT INTO instances (id, hostname, pid, version) VALUES ($1, $2, $3, $4)', [
      this.id,
      hostname(),
      process.pid,
      this.version,
    ]);
  }

  async heartbeat(): Promise<void> {
    await this.db.query('UPDATE instances SET last_seen_at = now() WHERE id = $1', [this.id]);
  }

  async markStopped(): Promise<void> {
    await this.db.query('UPDATE instances SET stopped_at = now(), last_seen_at = now() WHERE id = $1', [this.id]);
  }
}

/** Instances seen in the last `sinceHours`, newest first. */
export async function listInstances(db: Queryable, heartbeatMs: number, sinceHours = 24): Promise<Instance[]> {
  const result = await db.query<{
    id: string;
    hostname: string;
    pid: number;
    version: string;
    started_at: Date;
    last_seen_at: Date;
    stopped_at: Date | null;
    alive: boolean;
  }>(
    `SELECT id, hostname, pid, version, started_at, last_seen_at, stopped_at,
            (stopped_at IS NULL AND last_seen_at > now() - make_interval(secs => $1)) AS alive
       FROM instances
      WHERE last_seen_at > now() - make_interval(hours => $2)
      ORDER BY started_at DESC
      LIMIT 100`,
    [(3 * heartbeatMs) / 1000, sinceHours]
  );
  return result.rows.map((r) => ({
    id: r.id,
    hostname: r.hostname,
    pid: r.pid,
    version: r.version,
    startedAt: r.started_at,
    lastSeenAt: r.last_seen_at,
    stoppedAt: r.stopped_at,
    alive: r.alive,
  }));
}
