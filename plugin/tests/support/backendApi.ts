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

/** A call to the backend's API with the viewer or admin token, as the proxy routes would send it. */
export async function callBackend<T>(
  role: 'viewer' | 'admin',
  path: `/api/${string}`,
  init: { method?: string; body?: unknown } = {}
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${e2e.backendUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${role === 'admin' ? e2e.adminToken : e2e.viewerToken}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** A documentation address (RFC 5737) of its own for each run and purpose, so reruns never meet earlier bans. */
export function runAddress(purpose: number): string {
  const n = (parseInt(e2e.runId.slice(0, 4), 16) + purpose * 37) % 250;
  return `198.51.100.${n + 1}`;
}

/** A /30 block of TEST-NET-3 (RFC 5737) of its own for each run. */
export function runBlock(): string {
  return `203.0.113.${(parseInt(e2e.runId.slice(0, 4), 16) % 60) * 4}/30`;
}

/** A security event as an application or the log ingestion sends it (the SOAR event format). */
export interface SeedSecurityEvent {
  time: string;
  event: string;
  ip: string;
  user?: string;
  method?: string;
  path?: string;
  status?: number;
  msg?: string;
}

async function call(path: string, token: string, body: unknown, expected: number): Promise<unknown> {
  const res = await fetch(`${e2e.backendUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== expected) {
    throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`);
  }
  return res.json();
}

/** Runs security events through the auto-blocker (ingest token). */
export function postSecurityEvents(events: SeedSecurityEvent[]): Promise<unknown> {
  return call('/api/security/events', e2e.ingestToken, events, 200);
}

/** A manual ban, as an admin would place it (admin token); a ban in force of the same target is replaced. */
export function manualBan(body: { ip: string; reason: string; duration?: number; permanent?: boolean }) {
  return call('/api/security/ban', e2e.adminToken, body, 201);
}

/** How many stored security events have this type (viewer token). */
export async function countSecurityEvents(type: string): Promise<number> {
  const res = await fetch(`${e2e.backendUrl}/api/security/events?type=${encodeURIComponent(type)}&limit=500`, {
    headers: { authorization: `Bearer ${e2e.viewerToken}` },
  });
  return ((await res.json()) as { events: unknown[] }).events.length;
}

/** A security event as applications send it to POST /api/security/events. */
export interface SecurityEventInput {
  time?: string;
  event: string;
  ip: string;
  user?: string;
  msg?: string;
}

/** Posts security events through the auto-blocker (ingest token), timed now unless given a time. */
export async function ingestSecurityEvents(events: SecurityEventInput[]): Promise<{ accepted: number }> {
  const timed = events.map((event) => ({ time: new Date().toISOString(), ...event }));
  return (await postSecurityEvents(timed)) as { accepted: number };
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
