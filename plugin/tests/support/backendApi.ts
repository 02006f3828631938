/** Direct calls to the backend from the test runner, as another application would make them (ingest token). */
import { createHash } from 'node:crypto';
import type { IngestResponse } from '../../src/api/types';
import { e2e } from './env';

export interface SeedEvent {
  id?: string;
  action: string;
  resource: string;
  status: 'success' | 'failure';
  username?: string;
  ip?: string;
  resourceId?: string;
  errorMessage?: string;
  timestamp?: string;
  metadata?: Record<string, unknown>;
}

/** A UUID-shaped id derived from `name`: the same events get the same ids, so a repeated seed is refused (409). */
export function stableId(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Posts events; with `idempotent`, a batch already recorded (409, same ids) counts as done. */
export async function ingest(events: SeedEvent[], { idempotent = false } = {}): Promise<IngestResponse | null> {
  const res = await fetch(`${e2e.backendUrl}/api/audit/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${e2e.ingestToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });
  if (idempotent && res.status === 409) {
    return null;
  }
  if (res.status !== 201) {
    throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  }
  return (await res.json()) as IngestResponse;
}

/** A security event as applications send it to POST /api/security/events. */
export interface SecurityEventInput {
  time?: string;
  event: string;
  ip: string;
  user?: string;
  msg?: string;
}

/** Posts security events through the auto-blocker (ingest token); resolves with what became of them. */
export async function ingestSecurityEvents(events: SecurityEventInput[]): Promise<{ accepted: number }> {
  const res = await fetch(`${e2e.backendUrl}/api/security/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${e2e.ingestToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(events.map((event) => ({ time: new Date().toISOString(), ...event }))),
  });
  if (res.status !== 200) {
    throw new Error(`security ingest answered ${res.status}: ${await res.text()}`);
  }
  return (await res.json()) as { accepted: number };
}

/** Re-hashes the whole audit trail on the backend (as "Verify chain" does), which records its integrity status. */
export async function verifyAuditTrail(): Promise<{ valid: boolean }> {
  const res = await fetch(`${e2e.backendUrl}/api/audit/verify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${e2e.viewerToken}` },
  });
  if (res.status !== 200) {
    throw new Error(`audit verify answered ${res.status}: ${await res.text()}`);
  }
  return (await res.json()) as { valid: boolean };
}
