-- The auto-blocker's live state (issue 4, backend/src/security/README.md): the security events it took in, with
-- what became of each; the bans it or an admin decided, with their history (escalation counts them after a
-- restart) and the state of each enforcement adapter; and the whitelist edited through the API (the one in the
-- configuration file is not stored). Addresses are stored normalized (RFC 5952 IPv6, IPv4-mapped as IPv4).

CREATE TABLE security_events (
  -- UUIDv7: time-ordered, so the primary key index grows at its end.
  id uuid PRIMARY KEY,
  "time" timestamptz NOT NULL,
  type text NOT NULL,
  ip inet NOT NULL,
  "user" text,
  method text,
  path text,
  status smallint,
  user_agent text,
  bytes bigint,
  msg text,
  jail text,
  severity text NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
  -- What the auto-blocker did with it (soar/decision.ts Outcome).
  outcome text NOT NULL CHECK (outcome IN ('ignored', 'counted', 'alerted', 'banned', 'blocked', 'whitelisted')),
  -- The rule that banned or alerted on this event.
  rule_id text,
  -- Where it came from: api, file:<name>, infraction…
  source text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);

-- The list is newest first with keyset pagination on ("time", id); each filter has an index that keeps that order
-- (read backwards). Ascending, not DESC: events arrive in time order, and PostgreSQL appends to the rightmost leaf
-- of a btree without searching it, where a descending index would insert at its leftmost leaf.
CREATE INDEX security_events_time ON security_events ("time", id);
CREATE INDEX security_events_type ON security_events (type, "time");
-- btree, not gist: PostgreSQL ≥ 12 turns `ip <<= block` into a range scan of it.
CREATE INDEX security_events_ip ON security_events (ip, "time");
CREATE INDEX security_events_user ON security_events ("user", "time") WHERE "user" IS NOT NULL;

CREATE TABLE bans (
  id uuid PRIMARY KEY,
  -- An address (masklen 32 or 128) or a CIDR block (manual bans only).
  ip inet NOT NULL,
  -- The auto-blocker rule, or 'manual'.
  rule_id text NOT NULL CHECK (rule_id <> ''),
  -- auto-blocker | api | infraction | …
  source text NOT NULL CHECK (source <> ''),
  reason text,
  -- Who decided: soar:auto-blocker, or the API user (Grafana login or token:<role>).
  actor text NOT NULL,
  severity text,
  -- The event that triggered an automatic ban (no foreign key: events may be purged before bans).
  event_id uuid,
  "at" timestamptz NOT NULL,
  -- NULL: permanent.
  until timestamptz,
  -- 1 + the earlier bans of the address within the escalation window.
  ban_number integer NOT NULL CHECK (ban_number >= 1),
  -- When a process stored it: other processes read bans recorded since their last look.
  recorded_at timestamptz NOT NULL DEFAULT now(),
  -- When its expiry was handled (auto-unban enforced); NULL while in force, or lifted before.
  ended_at timestamptz,
  lifted_at timestamptz,
  lifted_by text,
  lift_reason text,
  CHECK (until IS NULL OR until > "at"),
  CHECK ((lifted_at IS NULL) = (lifted_by IS NULL))
);

CREATE INDEX bans_at ON bans ("at", id);
CREATE INDEX bans_ip ON bans (ip, "at");
CREATE INDEX bans_open ON bans (until) WHERE lifted_at IS NULL AND ended_at IS NULL;
CREATE INDEX bans_recorded ON bans (recorded_at);
CREATE INDEX bans_lifted ON bans (lifted_at) WHERE lifted_at IS NOT NULL;

-- One row per ban, enforcement adapter (fail2ban…) and action: an outbox that every process works through, so a
-- failing adapter never loses a decision: the row stays pending with its error and is retried with backoff.
CREATE TABLE ban_enforcement (
  ban_id uuid NOT NULL REFERENCES bans (id) ON DELETE CASCADE,
  adapter text NOT NULL,
  action text NOT NULL CHECK (action IN ('ban', 'unban')),
  -- pending: due at next_attempt_at; running: claimed by a process until lease_until; done; failed: will not
  -- succeed by retrying (e.g. an invalid argument); skipped: the adapter cannot do it (e.g. a CIDR block);
  -- cancelled: a ban lifted before it was enforced.
  state text NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed', 'skipped', 'cancelled')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error text,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ban_id, adapter, action)
);

CREATE INDEX ban_enforcement_due ON ban_enforcement (adapter, next_attempt_at) WHERE state IN ('pending', 'running');

CREATE TABLE whitelist (
  -- An address or a CIDR block.
  entry inet PRIMARY KEY,
  reason text NOT NULL,
  actor text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- NULL: until removed.
  expires_at timestamptz
);
