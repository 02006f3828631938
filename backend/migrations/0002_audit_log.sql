-- Tamper-evident audit trail (docs/audit-format.md). Rows are append-only: UPDATE, DELETE and TRUNCATE are
-- rejected with an error (the seeds' "DO INSTEAD NOTHING" rules dropped them silently, hiding tampering
-- attempts from the application). The one sanctioned change is archiving: clearing the payload of an
-- entry past retention while every hash stays, so that all proofs and checkpoints remain verifiable.

CREATE TABLE audit_settings (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  retention_days integer NOT NULL DEFAULT 2555 CHECK (retention_days >= 1)
);
INSERT INTO audit_settings DEFAULT VALUES;

CREATE TABLE audit_log (
  seq bigint PRIMARY KEY CHECK (seq >= 0),
  id uuid NOT NULL UNIQUE,
  "timestamp" timestamptz NOT NULL,
  user_id text,
  username text,
  action text NOT NULL,
  resource text NOT NULL,
  resource_id text,
  method text,
  path text,
  query jsonb,
  body jsonb,
  ip_address inet,
  user_agent text,
  status text NOT NULL CHECK (status IN ('success', 'failure')),
  status_code integer,
  response_time double precision,
  error_message text,
  metadata jsonb,
  -- The exact RFC 8785 bytes that were hashed; verification never re-serializes jsonb.
  canonical bytea CHECK (canonical IS NOT NULL OR archived_at IS NOT NULL),
  leaf_hash bytea NOT NULL CHECK (octet_length(leaf_hash) = 32),
  hash_prev bytea NOT NULL CHECK (octet_length(hash_prev) = 32),
  hash_current bytea NOT NULL CHECK (octet_length(hash_current) = 32),
  archived_at timestamptz,
  search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple',
      coalesce(action, '') || ' ' || coalesce(resource, '') || ' ' || coalesce(resource_id, '') || ' ' ||
      coalesce(username, '') || ' ' || coalesce(path, '') || ' ' || coalesce(error_message, ''))
  ) STORED
);

CREATE INDEX idx_audit_timestamp ON audit_log ("timestamp" DESC, seq DESC);
CREATE INDEX idx_audit_user_id ON audit_log (user_id);
CREATE INDEX idx_audit_username ON audit_log (username);
CREATE INDEX idx_audit_action ON audit_log (action);
CREATE INDEX idx_audit_resource ON audit_log (resource);
CREATE INDEX idx_audit_ip ON audit_log USING gist (ip_address inet_ops);
CREATE INDEX idx_audit_metadata ON audit_log USING gin (metadata jsonb_path_ops);
CREATE INDEX idx_audit_search ON audit_log USING gin (search);

-- Complete subtrees of the RFC 6962 Merkle tree (level >= 1; level 0 is audit_log.leaf_hash): node
-- (level, idx) covers leaves [idx * 2^level, (idx + 1) * 2^level). Proofs read O(log^2 n) of them.
CREATE TABLE audit_merkle_nodes (
  level smallint NOT NULL CHECK (level BETWEEN 1 AND 62),
  idx bigint NOT NULL CHECK (idx >= 0),
  hash bytea NOT NULL CHECK (octet_length(hash) = 32),
  PRIMARY KEY (level, idx)
);

-- Where the next entry goes. Its row lock serializes writers across processes (total order).
CREATE TABLE audit_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  tree_size bigint NOT NULL DEFAULT 0,
  head_hash bytea NOT NULL DEFAULT '\x0000000000000000000000000000000000000000000000000000000000000000',
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO audit_head DEFAULT VALUES;

-- Signed tree heads (Ed25519 over the RFC 8785 bytes of {treeSize, rootHash, timestamp}).
CREATE TABLE audit_checkpoints (
  tree_size bigint PRIMARY KEY CHECK (tree_size >= 0),
  root_hash bytea NOT NULL CHECK (octet_length(root_hash) = 32),
  "timestamp" text NOT NULL,
  signature text NOT NULL,
  key_fingerprint text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION audit_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  retention integer;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    SELECT retention_days INTO retention FROM audit_settings;
    IF OLD.archived_at IS NULL AND NEW.archived_at IS NOT NULL
       AND OLD."timestamp" < now() - make_interval(days => retention)
       AND NEW.seq = OLD.seq AND NEW.id = OLD.id AND NEW."timestamp" = OLD."timestamp"
       AND NEW.leaf_hash = OLD.leaf_hash AND NEW.hash_prev = OLD.hash_prev AND NEW.hash_current = OLD.hash_current
       AND NEW.action = OLD.action AND NEW.resource = OLD.resource AND NEW.status = OLD.status
       AND NEW.canonical IS NULL AND NEW.query IS NULL AND NEW.body IS NULL AND NEW.metadata IS NULL
       AND NEW.user_agent IS NULL AND NEW.error_message IS NULL AND NEW.ip_address IS NULL
       AND NEW.user_id IS NULL AND NEW.username IS NULL AND NEW.path IS NULL AND NEW.resource_id IS NULL THEN
      RETURN NEW; -- archiving an entry past retention: payload cleared, hashes kept
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_worm_row BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_log_worm_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();

CREATE FUNCTION audit_nodes_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_merkle_nodes_worm BEFORE UPDATE OR DELETE ON audit_merkle_nodes
  FOR EACH ROW EXECUTE FUNCTION audit_nodes_reject_change();
CREATE TRIGGER audit_merkle_nodes_worm_truncate BEFORE TRUNCATE ON audit_merkle_nodes
  FOR EACH STATEMENT EXECUTE FUNCTION audit_nodes_reject_change();
CREATE TRIGGER audit_checkpoints_worm BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_nodes_reject_change();
CREATE TRIGGER audit_checkpoints_worm_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit_nodes_reject_change();

-- Least privilege: the role the backend should log in as in production can append and read the trail,
-- and move the head, but cannot change or remove history (nor disable the triggers, which needs ownership).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cartae_secops_audit_writer') THEN
    CREATE ROLE cartae_secops_audit_writer NOLOGIN;
  END IF;
END;
$$;
GRANT SELECT, INSERT ON audit_log, audit_merkle_nodes, audit_checkpoints TO cartae_secops_audit_writer;
GRANT SELECT, UPDATE ON audit_head TO cartae_secops_audit_writer;
GRANT SELECT ON audit_settings TO cartae_secops_audit_writer;

CREATE VIEW audit_stats AS
SELECT date_trunc('day', "timestamp") AS day, action, resource,
       count(*) AS total,
       count(*) FILTER (WHERE status = 'failure') AS failures,
       count(DISTINCT ip_address) AS distinct_ips,
       avg(response_time) AS avg_response_time
  FROM audit_log
 GROUP BY 1, 2, 3;

-- Failed logins, refused access (401/403) and slow requests (over 5 s), as the seeds describe.
CREATE VIEW suspicious_activities AS
SELECT seq, id, "timestamp", username, action, resource, path, ip_address, status_code, response_time,
       CASE
         WHEN status_code IN (401, 403) THEN 'unauthorized_access'
         WHEN action ILIKE '%login%' AND status = 'failure' THEN 'failed_login'
         ELSE 'slow_request'
       END AS kind
  FROM audit_log
 WHERE (action ILIKE '%login%' AND status = 'failure')
    OR status_code IN (401, 403)
    OR response_time > 5000;
