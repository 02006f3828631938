-- Bans and unbans that Fail2ban hosts report (POST /api/fail2ban/events, provisioning/fail2ban/action.d), so that
-- every host's bans show up in one place. A report is recorded once per (jail, ip, action, ban_second): the
-- action's retries, and bans Fail2ban restores from its database at start-up, are the same row.
CREATE TABLE fail2ban_events (
  id bigserial PRIMARY KEY,
  jail text NOT NULL CHECK (jail ~ '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$'),
  ip inet NOT NULL,
  action text NOT NULL CHECK (action IN ('ban', 'unban')),
  -- Fail2ban's <time>: when the ban's ticket started (Unix seconds with a fraction); an unban carries its ban's.
  ban_time double precision NOT NULL,
  -- <time> rounded as Fail2ban stores it in its database (half to even): a restored ban reports this value.
  ban_second bigint NOT NULL,
  -- Seconds after bantime.increment, -1 permanent; with the ban number and failures, for bans only.
  bantime bigint CHECK (bantime >= -1),
  bancount integer CHECK (bancount >= 0),
  failures integer CHECK (failures >= 0),
  -- Re-applied from Fail2ban's database at start-up.
  restored boolean NOT NULL DEFAULT false,
  -- Who reported it: the address of the Fail2ban host (as this API sees it) and the token's role.
  reporter inet,
  reported_by text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (jail, ip, action, ban_second)
);
CREATE INDEX fail2ban_events_jail ON fail2ban_events (jail, id DESC);
CREATE INDEX fail2ban_events_ip ON fail2ban_events (ip, id DESC);
GRANT SELECT, INSERT ON fail2ban_events TO cartae_secops_audit_writer;
GRANT USAGE ON SEQUENCE fail2ban_events_id_seq TO cartae_secops_audit_writer;
