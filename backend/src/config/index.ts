import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from './errors';
import { envBool, envEnum, envInt, envSecret, envString, type Env } from './env';
import { ConfigFileSchema, type ConfigFile } from './file-schema';
import { DEFAULT_REDACTED_FIELDS } from '../audit/redact';
import { parseIngestConfig, type IngestConfig } from '../ingest/config';

export { ConfigError } from './errors';
export type { Env } from './env';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_CONFIG_FILE = 'provisioning/soar/soar-config.yml';
/** Shortest token we accept from the environment: 128 bits of hex. Generated tokens are 256 bits. */
export const MIN_TOKEN_LENGTH = 32;

export interface Config {
  server: {
    host: string;
    port: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    shutdownTimeoutMs: number;
    bodyLimitBytes: number;
    trustProxy: boolean | string[];
  };
  database: {
    /** PostgreSQL connection string; undefined means embedded PGlite in `dataDir`. */
    url: string | undefined;
    schema: string;
    poolMax: number;
    statementTimeoutMs: number;
  };
  dataDir: string;
  /** The YAML file that was read, or null when none exists at the default path. */
  configFile: string | null;
  logLevel: LogLevel;
  auth: {
    viewerToken: string | undefined;
    adminToken: string | undefined;
    ingestToken: string | undefined;
    /** When set, `/metrics` requires `Authorization: Bearer <metricsToken>`. */
    metricsToken: string | undefined;
  };
  rateLimit: { max: number; windowMs: number; allowList: string[] };
  audit: {
    retentionDays: number;
    /** Keys whose values are replaced by ***REDACTED*** before hashing (case and separators ignored). */
    redactFields: string[];
    /** Whether the HTTP audit hook records this API's own requests (events posted to the API always are). */
    captureRequests: boolean;
    /** Request paths the HTTP audit hook does not record (prefix match). */
    excludePaths: string[];
    /** Most events accepted in one POST /api/audit/events. */
    maxBatchSize: number;
    /** Ed25519 private key (PKCS#8 PEM); undefined: generated into DATA_DIR/secrets/audit-signing-key.pem. */
    signingKey: string | undefined;
    /** Sign a tree head after this many new entries… */
    checkpointEvery: number;
    /** …or this long after the last one when entries were added since. */
    checkpointIntervalMs: number;
    /** The backend verifies the whole trail when no verification finished within this many hours; 0: never. */
    verifyIntervalHours: number;
  };
  /** File ingestion: the `ingest` section (ingest/config.ts, docs/ingest.md). */
  ingest: IngestConfig;
  fail2ban: {
    /** Whether the API controls a local Fail2ban (status, ban, unban, metrics); reports are accepted regardless. */
    enabled: boolean;
    /** fail2ban-client and leading arguments, e.g. ['sudo', '-n', '/usr/bin/fail2ban-client']. */
    command: string[];
    /** The server's socket; undefined: the one in fail2ban.conf. */
    socketPath: string | undefined;
    /** Longest a fail2ban-client command may take, in ms (metrics scrapes use at most 3 s). */
    timeoutMs: number;
  };
}

export interface LoadConfigOptions {
  /** Resolves relative paths (config file, data folder); defaults to the process working directory. */
  cwd?: string;
}

/**
 * Builds the typed configuration from environment variables and the YAML file.
 * Precedence: environment variable, then YAML file, then built-in default.
 * Throws ConfigError naming the offending variable or key.
 */
export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const explicitFile = envString(env, 'SOAR_CONFIG');
  const filePath = path.resolve(cwd, explicitFile ?? DEFAULT_CONFIG_FILE);
  const file = readConfigFile(filePath, explicitFile !== undefined);
  const api = file.content.api ?? {};

  const auth = {
    viewerToken: token(env, 'SECOPS_VIEWER_TOKEN'),
    adminToken: token(env, 'SECOPS_ADMIN_TOKEN'),
    ingestToken: token(env, 'SECOPS_INGEST_TOKEN'),
    metricsToken: token(env, 'METRICS_TOKEN'),
  };
  assertDistinct(auth);

  const schema = envString(env, 'DATABASE_SCHEMA') ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError('DATABASE_SCHEMA', `must be a lower-case SQL identifier (got "${schema}")`);
  }
  const databaseUrl = envSecret(env, 'DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
  }

  const dataDir = path.resolve(cwd, envString(env, 'DATA_DIR') ?? 'data');
  return {
    server: {
      host: envString(env, 'HOST') ?? '127.0.0.1',
      port: envInt(env, 'PORT', 0, 65535) ?? 3010,
      requestTimeoutMs: envInt(env, 'REQUEST_TIMEOUT_MS', 1000, 600_000) ?? api.requestTimeoutMs ?? 30_000,
      keepAliveTimeoutMs: envInt(env, 'KEEP_ALIVE_TIMEOUT_MS', 1000, 600_000) ?? 72_000,
      shutdownTimeoutMs: envInt(env, 'SHUTDOWN_TIMEOUT_MS', 1000, 600_000) ?? 10_000,
      bodyLimitBytes: envInt(env, 'BODY_LIMIT_BYTES', 1024, 512 * 1024 * 1024) ?? api.bodyLimitBytes ?? 1024 * 1024,
      trustProxy: trustProxy(env, api.trustProxy ?? false),
    },
    database: {
      url: databaseUrl,
      schema,
      poolMax: envInt(env, 'DATABASE_POOL_MAX', 1, 1000) ?? 10,
      statementTimeoutMs: envInt(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 100, 3_600_000) ?? 30_000,
    },
    dataDir,
    configFile: file.path,
    logLevel: envEnum(env, 'LOG_LEVEL', LOG_LEVELS) ?? file.content.logging?.level ?? 'info',
    auth,
    rateLimit: {
      max: envInt(env, 'RATE_LIMIT_MAX', 1, 10_000_000) ?? api.rateLimit?.max ?? 1200,
      windowMs: envInt(env, 'RATE_LIMIT_WINDOW_MS', 1000, 86_400_000) ?? api.rateLimit?.windowMs ?? 60_000,
      allowList: api.rateLimit?.allowList ?? [],
    },
    audit: {
      retentionDays: envInt(env, 'AUDIT_RETENTION_DAYS', 1, 36_500) ?? file.content.audit?.retentionDays ?? 2555,
      redactFields: file.content.audit?.redactFields ?? [...DEFAULT_REDACTED_FIELDS],
      captureRequests: envBool(env, 'AUDIT_CAPTURE_REQUESTS') ?? file.content.audit?.captureRequests ?? true,
      excludePaths: file.content.audit?.excludePaths ?? ['/health', '/ready', '/metrics', '/docs'],
      maxBatchSize: envInt(env, 'AUDIT_MAX_BATCH_SIZE', 1, 100_000) ?? file.content.audit?.maxBatchSize ?? 5000,
      signingKey: envSecret(env, 'AUDIT_SIGNING_KEY'),
      checkpointEvery: file.content.audit?.checkpointEvery ?? 10_000,
      checkpointIntervalMs:
        envInt(env, 'AUDIT_CHECKPOINT_INTERVAL_MS', 1000, 86_400_000) ??
        file.content.audit?.checkpointIntervalMs ??
        60_000,
      verifyIntervalHours:
        envInt(env, 'AUDIT_VERIFY_INTERVAL_HOURS', 0, 8760) ?? file.content.audit?.verifyIntervalHours ?? 24,
    },
    ingest: parseIngestConfig(
      file.content.ingest,
      file.path === null ? 'ingest' : `${path.basename(file.path)}: ingest`,
      dataDir,
      cwd
    ),
    fail2ban: {
      enabled: envBool(env, 'FAIL2BAN_ENABLED') ?? file.content.fail2ban?.enabled ?? true,
      command: (envString(env, 'FAIL2BAN_CLIENT') ?? file.content.fail2ban?.client ?? 'fail2ban-client')
        .trim()
        .split(/\s+/),
      socketPath: envString(env, 'FAIL2BAN_SOCKET') ?? file.content.fail2ban?.socket,
      timeoutMs: envInt(env, 'FAIL2BAN_TIMEOUT_MS', 100, 600_000) ?? file.content.fail2ban?.timeoutMs ?? 10_000,
    },
  };
}

function trustProxy(env: Env, fallback: boolean | string[]): boolean | string[] {
  const raw = envString(env, 'TRUST_PROXY');
  if (raw === undefined) return fallback;
  if (/^(true|yes|on|1)$/i.test(raw)) return true;
  if (/^(false|no|off|0)$/i.test(raw)) return false;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function token(env: Env, name: string): string | undefined {
  const value = envSecret(env, name);
  if (value !== undefined && value.length < MIN_TOKEN_LENGTH) {
    throw new ConfigError(
      name,
      `must be at least ${MIN_TOKEN_LENGTH} characters long (generate one with: openssl rand -hex 32)`
    );
  }
  return value;
}

function assertDistinct(auth: Config['auth']): void {
  const seen = new Map<string, string>();
  const names: Record<keyof Config['auth'], string> = {
    viewerToken: 'SECOPS_VIEWER_TOKEN',
    adminToken: 'SECOPS_ADMIN_TOKEN',
    ingestToken: 'SECOPS_INGEST_TOKEN',
    metricsToken: 'METRICS_TOKEN',
  };
  for (const [key, value] of Object.entries(auth) as [keyof Config['auth'], string | undefined][]) {
    if (value === undefined) continue;
    const other = seen.get(value);
    if (other !== undefined)
      throw new ConfigError(names[key], `must differ from ${other}: each role needs its own token`);
    seen.set(value, names[key]);
  }
}

function readConfigFile(filePath: string, explicit: boolean): { path: string | null; content: ConfigFile } {
  if (!existsSync(filePath)) {
    if (explicit) throw new ConfigError('SOAR_CONFIG', `points to ${filePath}, which does not exist`);
    return { path: null, content: {} };
  }
  const name = path.basename(filePath);
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(filePath, 'utf8'));
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : '';
    throw new ConfigError(name, `is not valid YAML${where}: ${(err as Error).message.split('\n')[0]}`);
  }
  parsed ??= {};
  const first = Value.Errors(ConfigFileSchema, parsed).First();
  if (first) {
    const key = `${name}: ${first.path.replace(/^\//, '').replace(/\//g, '.') || '(top level)'}`;
    if (first.message === 'Unexpected property') throw new ConfigError(key, 'is not a known key');
    const choices = (first.schema as { anyOf?: { const?: unknown }[] }).anyOf?.map((s) => s.const);
    if (choices && choices.every((c) => typeof c === 'string')) {
      throw new ConfigError(key, `must be one of ${choices.join(', ')} (got ${JSON.stringify(first.value)})`);
    }
    throw new ConfigError(
      key,
      `${first.message.charAt(0).toLowerCase()}${first.message.slice(1)} (got ${JSON.stringify(first.value)})`
    );
  }
  return { path: filePath, content: parsed as ConfigFile };
}
