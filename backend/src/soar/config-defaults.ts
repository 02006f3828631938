/**
 * The seeds' Fail2ban jails as auto-blocker rules: what runs when soar-config.yml has no `autoBlocker` section.
 * `provisioning/soar/soar-config.yml` ships the same rules (a test keeps the two equal). Recidive is not a rule:
 * escalation makes the third ban within 7 days permanent, as the seeds' `cartae-recidive` jail does.
 */
import type { AutoBlockerConfig } from './config';

const MINUTE_MS = 60_000;
const HOUR_S = 3600;

export const DEFAULT_AUTO_BLOCKER: AutoBlockerConfig = {
  whitelist: ['127.0.0.1', '::1', '10.0.0.0/8'],
  escalation: {
    factor: 2,
    maxDuration: 7 * 24 * HOUR_S,
    permanentAfter: 3,
    permanentWindowMs: 7 * 24 * 60 * MINUTE_MS,
  },
  rules: [
    {
      id: 'port-scan',
      name: 'Port scan',
      match: { event: ['network.scan.detected'] },
      threshold: 1,
      windowMs: 5 * MINUTE_MS,
      duration: 24 * HOUR_S,
      action: 'ban_perm',
      severity: 'high',
    },
    {
      id: 'api-admin',
      name: 'Unauthorized admin operations',
      match: { status: [401, 403], pathPrefix: '/api/v1/admin/' },
      threshold: 3,
      windowMs: 5 * MINUTE_MS,
      duration: 24 * HOUR_S,
      action: 'ban_temp',
      severity: 'high',
    },
    {
      id: 'api-auth',
      name: 'Authentication failures',
      match: { event: ['auth.login.failed'] },
      threshold: 5,
      windowMs: 10 * MINUTE_MS,
      duration: HOUR_S,
      action: 'ban_temp',
      severity: 'medium',
    },
    {
      id: 'brute-force',
      name: 'Brute force (any refused request)',
      match: { status: [401, 403] },
      threshold: 10,
      windowMs: 5 * MINUTE_MS,
      duration: 24 * HOUR_S,
      action: 'ban_temp',
      severity: 'high',
    },
    {
      id: 'http-ddos',
      name: 'HTTP flood',
      match: {},
      threshold: 300,
      windowMs: MINUTE_MS,
      duration: 10 * 60,
      action: 'ban_temp',
      severity: 'critical',
    },
  ],
};
