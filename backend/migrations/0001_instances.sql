-- Backend processes that have run against this database: one row per process start, refreshed by a
-- heartbeat, so an SRE can see which replicas are alive (GET /api/system/instances).
CREATE TABLE instances (
  id uuid PRIMARY KEY,
  hostname text NOT NULL,
  pid integer NOT NULL,
  version text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  stopped_at timestamptz
);

CREATE INDEX instances_last_seen_idx ON instances (last_seen_at DESC);
