import { ingest, stableId, type SeedEvent } from './backendApi';
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
