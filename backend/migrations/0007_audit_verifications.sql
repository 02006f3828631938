-- Every audit verification, whoever ran it (the API, the CLI, the backend's schedule): when, over which range,
-- and what it found. The integrity metrics and the plugin's Overview read the latest whole-log run, so a
-- verification run from the command line on another host counts as much as one run by this process.
CREATE TABLE audit_verifications (
  id bigserial PRIMARY KEY,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  -- api | cli | schedule
  source text NOT NULL CHECK (source IN ('api', 'cli', 'schedule')),
  -- Who asked: the API role and Grafana user, or the operating-system user of the CLI.
  actor text,
  from_seq bigint NOT NULL CHECK (from_seq >= 0),
  to_seq bigint,
  -- Whether the whole trail was checked (0 to the head, with the signed checkpoints).
  whole boolean NOT NULL,
  valid boolean NOT NULL,
  checked bigint NOT NULL CHECK (checked >= 0),
  tree_size bigint NOT NULL CHECK (tree_size >= 0),
  root_hash text,
  checkpoints_checked integer NOT NULL DEFAULT 0,
  archived bigint NOT NULL DEFAULT 0,
  first_invalid_seq bigint,
  first_invalid_reason text,
  CHECK (valid = (first_invalid_seq IS NULL))
);
CREATE INDEX audit_verifications_finished ON audit_verifications (finished_at DESC);
CREATE INDEX audit_verifications_whole ON audit_verifications (finished_at DESC) WHERE whole;
GRANT SELECT, INSERT ON audit_verifications TO cartae_secops_audit_writer;
GRANT USAGE ON SEQUENCE audit_verifications_id_seq TO cartae_secops_audit_writer;
