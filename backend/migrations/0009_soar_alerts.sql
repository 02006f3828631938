-- Alerts Alertmanager delivers to POST /api/soar/alertmanager (backend/src/alertmanager/README.md). Every alert is
-- stored here, with or without an address; the ones that carry an address label also become a security event (the
-- auto-blocker needs an address: security_events.ip stays NOT NULL). One row per (fingerprint, starts_at, status):
-- Alertmanager's redeliveries and repeats of a firing alert are the same row; its resolution is another.
CREATE TABLE soar_alerts (
  id bigserial PRIMARY KEY,
  -- Alertmanager's hash of the alert's label set.
  fingerprint text NOT NULL CHECK (fingerprint <> ''),
  starts_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('firing', 'resolved')),
  -- NULL while firing (Alertmanager sends 0001-01-01T00:00:00Z or a time in the future).
  ends_at timestamptz,
  alertname text,
  -- The alert's severity label as sent (NULL when it has none).
  severity text,
  labels jsonb NOT NULL,
  annotations jsonb NOT NULL,
  generator_url text,
  -- The notification it came in: receiver and group key.
  receiver text NOT NULL,
  group_key text NOT NULL,
  -- The address of the alert's address label, and the security event made from it.
  ip inet,
  event_id uuid,
  reported_by text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (fingerprint, starts_at, status)
);
CREATE INDEX soar_alerts_received ON soar_alerts (received_at DESC, id DESC);
CREATE INDEX soar_alerts_alertname ON soar_alerts (alertname, received_at DESC);
CREATE INDEX soar_alerts_ip ON soar_alerts (ip, received_at DESC) WHERE ip IS NOT NULL;
-- UPDATE: the event id is set once the security event is stored; DELETE: a row whose event could not be stored is
-- removed so that Alertmanager's retry records the alert again.
GRANT SELECT, INSERT, UPDATE, DELETE ON soar_alerts TO cartae_secops_audit_writer;
GRANT USAGE ON SEQUENCE soar_alerts_id_seq TO cartae_secops_audit_writer;
