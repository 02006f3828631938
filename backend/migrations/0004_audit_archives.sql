-- Retention archive runs (docs/audit-retention.md). A run is recorded before its file is written and marked
-- applied in the transaction that clears the payloads of its entries, so a run interrupted between the two is
-- found, and finished, by the next one. At most one run is pending at a time.
CREATE TABLE audit_archives (
  id bigserial PRIMARY KEY,
  -- The archive file, as an absolute path on the host that ran the archive.
  file text NOT NULL,
  -- The run archives the entries with "timestamp" < before, seq between from_seq and to_seq, not yet archived.
  before timestamptz NOT NULL,
  from_seq bigint NOT NULL CHECK (from_seq >= 0),
  to_seq bigint NOT NULL CHECK (to_seq >= from_seq),
  entry_count bigint NOT NULL CHECK (entry_count > 0),
  -- From the signed trailer of the file, once the run is applied.
  file_sha256 text,
  signature text,
  key_fingerprint text,
  created_at timestamptz NOT NULL DEFAULT now(),
  applied_at timestamptz,
  CHECK (applied_at IS NULL OR (file_sha256 IS NOT NULL AND signature IS NOT NULL AND key_fingerprint IS NOT NULL))
);
CREATE UNIQUE INDEX audit_archives_one_pending ON audit_archives ((true)) WHERE applied_at IS NULL;
GRANT SELECT ON audit_archives TO cartae_secops_audit_writer;

-- The sanctioned archive update (0002) cleared the payload but did not pin the columns it keeps: method,
-- status_code and response_time could have been changed along with it. Same rule, with those pinned.
CREATE OR REPLACE FUNCTION audit_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
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
       AND NEW.method IS NOT DISTINCT FROM OLD.method AND NEW.status_code IS NOT DISTINCT FROM OLD.status_code
       AND NEW.response_time IS NOT DISTINCT FROM OLD.response_time
       AND NEW.canonical IS NULL AND NEW.query IS NULL AND NEW.body IS NULL AND NEW.metadata IS NULL
       AND NEW.user_agent IS NULL AND NEW.error_message IS NULL AND NEW.ip_address IS NULL
       AND NEW.user_id IS NULL AND NEW.username IS NULL AND NEW.path IS NULL AND NEW.resource_id IS NULL THEN
      RETURN NEW; -- archiving an entry past retention: payload cleared, hashes kept
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
