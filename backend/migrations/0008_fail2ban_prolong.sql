-- Fail2ban reports a third action: with bantime.increment, the longer ban time of a repeat offender is computed
-- after the ban's actions ran (an observer thread), and reaches the actions as `actionprolong`. The report of the
-- prolonged ban is kept beside its ban, once per (jail, ip, ban_second) like the others.
ALTER TABLE fail2ban_events DROP CONSTRAINT fail2ban_events_action_check;
ALTER TABLE fail2ban_events ADD CONSTRAINT fail2ban_events_action_check CHECK (action IN ('ban', 'unban', 'prolong'));
