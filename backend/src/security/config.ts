/**
 * The `security` section of the YAML configuration (the live auto-blocker: enforcement, refresh, stream) and the
 * `autoBlocker` rules, both read from the file the configuration loader chose. Errors name the key, e.g.
 * `soar-config.yml: security.enforcement.fail2ban.jail`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../config/errors';
import { JAIL_NAME_PATTERN } from '../fail2ban/validate';
import { parseAutoBlockerConfig, type AutoBlockerConfig } from '../soar/config';

const int = (minimum: number, maximum: number, fallback: number, description: string) =>
  Type.Integer({ minimum, maximum, default: fallback, description });

/** Enforcement in a Fail2ban jail; the client itself (command, socket, timeout) is the `fail2ban` section's. */
const Fail2banSection = Type.Object(
  {
    enabled: Type.Boolean({ default: false, description: 'ban and unban in a Fail2ban jail as well' }),
    jail: Type.String({ pattern: JAIL_NAME_PATTERN, default: 'cartae-secops' }),
  },
  { additionalProperties: false, default: {} }
);

const SecuritySection = Type.Object(
  {
    maxBatchSize: int(1, 100_000, 10_000, 'most events in one POST /api/security/events'),
    maxConcurrentBatches: int(1, 64, 2, 'batches written to the database at once; later ones wait their turn'),
    maxQueuedBatches: int(0, 10_000, 256, 'batches allowed to wait; past it ingestion answers 503'),
    refreshIntervalMs: int(100, 3_600_000, 5000, 'how often bans and whitelist written by other processes are read'),
    maintenanceIntervalMs: int(50, 60_000, 1000, 'how often expired bans and whitelist entries are handled'),
    enforcement: Type.Object(
      {
        retryInitialMs: int(10, 3_600_000, 1000, 'first retry delay of a failed enforcement'),
        retryMaxMs: int(10, 86_400_000, 300_000, 'longest retry delay (it doubles up to this)'),
        fail2ban: Fail2banSection,
      },
      { additionalProperties: false, default: {} }
    ),
    stream: Type.Object(
      {
        heartbeatMs: int(1000, 300_000, 15_000, 'comment line sent to idle stream clients'),
        maxBufferBytes: int(1024, 64 * 1024 * 1024, 1024 * 1024, 'unsent bytes per client before events are dropped'),
        maxClients: int(1, 10_000, 100, 'concurrent stream clients'),
      },
      { additionalProperties: false, default: {} }
    ),
  },
  { additionalProperties: false, default: {} }
);
export type SecuritySettings = Static<typeof SecuritySection>;

export interface SecurityConfig {
  autoBlocker: AutoBlockerConfig;
  settings: SecuritySettings;
}

/** Validates the `security` section (absent: every default); throws ConfigError naming the key. */
export function parseSecuritySettings(raw: unknown, where = 'security'): SecuritySettings {
  const value = Value.Default(SecuritySection, structuredClone(raw ?? {}));
  const first = Value.Errors(SecuritySection, value).First();
  if (first) {
    const key = `${where}${first.path.replace(/\//g, '.')}`;
    if (first.message === 'Unexpected property') throw new ConfigError(key, 'is not a known key');
    const message = `${first.message.charAt(0).toLowerCase()}${first.message.slice(1)}`;
    throw new ConfigError(key, `${message} (got ${JSON.stringify(first.value)})`);
  }
  return value as SecuritySettings;
}

/** Reads both sections from the configuration file (null: none, built-in defaults). */
export function readSecurityConfig(configFile: string | null): SecurityConfig {
  if (configFile === null)
    return { autoBlocker: parseAutoBlockerConfig(undefined), settings: parseSecuritySettings({}) };
  const content = (parseYaml(readFileSync(configFile, 'utf8')) ?? {}) as Record<string, unknown>;
  const name = path.basename(configFile);
  return {
    autoBlocker: parseAutoBlockerConfig(content.autoBlocker, `${name}: autoBlocker`),
    settings: parseSecuritySettings(content.security, `${name}: security`),
  };
}
