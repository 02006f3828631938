import {
  countSecurityEvents,
  ingest,
  manualBan,
  postSecurityEvents,
  stableId,
  type SeedEvent,
  type SeedSecurityEvent,
} from './backendApi';
import { e2e } from './env';

/** Audit entries of this run, with users unique to it so that filters see only them. */
export function seedEvents() {
  const alice = `alice-${e2e.runId}`;
  const bob = `bob-${e2e.runId}`;
  const events: SeedEvent[] = [
    { action: 'login', resource: 'session', status: 'success', username: alice, ip: '198.51.100.7' },
    {
      action: 'login',
      resource: 'session',
      status: 'failure',
      username: alice,
      ip: '198.51.100.7',
      errorMessage: 'invalid password',
    },
    {
      action: 'login',
      resource: 'session',
      status: 'failure',
      username: alice,
      ip: '198.51.100.8',
      errorMessage: 'invalid password',
    },
    { action: 'settings.update', resource: 'settings', status: 'success', username: alice, ip: '198.51.100.7' },
    {
      action: 'login',
      resource: 'session',
      status: 'failure',
      username: bob,
      ip: '203.0.113.9',
      errorMessage: 'unknown user',
    },
    {
      action: 'ban.create',
      resource: 'bans',
      resourceId: '203.0.113.66',
      status: 'success',
      username: bob,
      ip: '203.0.113.9',
    },
    {
      action: 'export',
      resource: 'reports',
      status: 'success',
      username: bob,
      ip: '2001:db8::5',
      metadata: { apiKey: 'this-is-redacted-before-hashing' },
    },
  ];
  // Workers restart after a failed test and run beforeAll again: the same ids make the second seed a no-op.
  const withIds = events.map((event, i) => ({ ...event, id: stableId(`${e2e.runId}:${i}`) }));
  return { alice, bob, events, seed: () => ingest(withIds, { idempotent: true }) };
}

/**
 * What the data source reads, unique to this run: security events of two types of its own over the last hour,
 * a temporary and a permanent ban inside an address block of its own, and audit entries with an action of its own.
 */
export function seedSecurity() {
  const now = Date.now();
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  const octet = 16 + (parseInt(e2e.runId.slice(0, 2), 16) % 200);
  const types = { probe: `e2e.probe.r${e2e.runId}`, scan: `e2e.scan.r${e2e.runId}` };
  const events: SeedSecurityEvent[] = [
    { time: at(50), event: types.probe, ip: '198.51.100.21', user: `carol-${e2e.runId}`, msg: 'first probe' },
    { time: at(30), event: types.probe, ip: '198.51.100.21', user: `carol-${e2e.runId}`, msg: 'second probe' },
    { time: at(20), event: types.scan, ip: '198.51.100.22', method: 'GET', path: '/wp-login.php', status: 404 },
    { time: at(10), event: types.probe, ip: '198.51.100.23', msg: 'third probe' },
  ];
  const bans = {
    temporary: { ip: `203.0.113.${octet}`, duration: 3600, reason: `e2e ${e2e.runId}: temporary` },
    permanent: { ip: `192.0.2.${octet}`, permanent: true, reason: `e2e ${e2e.runId}: permanent` },
  };
  const action = `e2e.datasource.r${e2e.runId}`;
  const audit: SeedEvent[] = [
    { action, resource: 'reports', status: 'success', username: `carol-${e2e.runId}`, ip: '198.51.100.21' },
    { action, resource: 'reports', status: 'failure', username: `carol-${e2e.runId}`, ip: '198.51.100.21' },
    { action, resource: 'reports', status: 'success', username: `carol-${e2e.runId}`, ip: '198.51.100.22' },
  ];
  const auditWithIds = audit.map((entry, i) => ({ ...entry, id: stableId(`${e2e.runId}:datasource:${i}`) }));
  return {
    types,
    events,
    bans,
    action,
    audit,
    seed: async () => {
      // Workers restart after a failed test and run beforeAll again: events would be counted twice, so only once.
      if ((await countSecurityEvents(types.probe)) === 0) {
        await postSecurityEvents(events);
      }
      await manualBan(bans.temporary);
      await manualBan(bans.permanent);
      await ingest(auditWithIds, { idempotent: true });
    },
  };
}
