import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { Database } from '../../src/db';
import { bearer, createTestApp, tempDir, TEST_TOKENS, type TestApp } from '../helpers';

export const admin = bearer(TEST_TOKENS.admin);
export const viewer = bearer(TEST_TOKENS.viewer);
export const ingest = bearer(TEST_TOKENS.ingest);

/** Rules small enough for tests: 3 failed logins in a minute ban for 60 s; any port scan bans for good. */
export const TEST_AUTO_BLOCKER = {
  whitelist: ['127.0.0.1', '10.0.0.0/8', '2001:db8:ffff::/48'],
  escalation: { factor: 2, maxDuration: 3600, permanentAfter: 3, permanentWindowMs: 86_400_000 },
  rules: [
    {
      id: 'port-scan',
      match: { event: ['network.scan.detected'] },
      threshold: 1,
      windowMs: 60_000,
      duration: 60,
      action: 'ban_perm',
      severity: 'high',
    },
    {
      id: 'auth',
      match: { event: ['auth.login.failed'] },
      threshold: 3,
      windowMs: 60_000,
      duration: 60,
      severity: 'medium',
    },
    {
      id: 'probe',
      match: { status: [404] },
      threshold: 5,
      windowMs: 60_000,
      duration: 60,
      action: 'alert',
      severity: 'low',
    },
  ],
};

/** Timers that never fire within a test: tests run maintenance and refresh themselves. */
export const QUIET = { maintenanceIntervalMs: 60_000, refreshIntervalMs: 3_600_000 };

/** Writes a configuration file with these sections and returns its path. */
export function writeConfig(sections: Record<string, unknown>): string {
  const file = path.join(tempDir('secops-security-'), 'soar-config.yml');
  writeFileSync(file, stringify(sections));
  return file;
}

export interface SecurityTestOptions {
  db?: Database;
  autoBlocker?: unknown;
  security?: Record<string, unknown>;
  env?: Record<string, string>;
}

/** An app whose configuration file holds the test rules (or `autoBlocker`) and quiet timers. */
export function securityApp(options: SecurityTestOptions = {}): Promise<TestApp> {
  const file = writeConfig({
    autoBlocker: options.autoBlocker ?? TEST_AUTO_BLOCKER,
    security: { ...QUIET, ...options.security },
  });
  return createTestApp({ db: options.db, env: { SOAR_CONFIG: file, ...options.env } });
}

/** A security event `seconds` ago (default now) as a client posts it. */
export function ev(
  ip: string,
  event = 'auth.login.failed',
  extra: Record<string, unknown> = {},
  secondsAgo = 0
): Record<string, unknown> {
  return { time: new Date(Date.now() - secondsAgo * 1000).toISOString(), event, ip, ...extra };
}

export async function post(t: TestApp, events: unknown, headers: Record<string, string> = ingest) {
  return t.app.inject({ method: 'POST', url: '/api/security/events', headers, payload: events as object });
}
