import { Type, type Static } from '@sinclair/typebox';

/**
 * Shape of the YAML configuration file (`provisioning/soar/soar-config.yml` by default).
 * Unknown keys are rejected so that a typo stops start-up instead of being silently ignored.
 * Later sections (autoBlocker, alertManager, …) are added here as the features land.
 */
export const LogLevel = Type.Union([
  Type.Literal('fatal'),
  Type.Literal('error'),
  Type.Literal('warn'),
  Type.Literal('info'),
  Type.Literal('debug'),
  Type.Literal('trace'),
  Type.Literal('silent'),
]);

const RateLimitSection = Type.Object(
  {
    max: Type.Optional(Type.Integer({ minimum: 1, description: 'requests allowed per window and client' })),
    windowMs: Type.Optional(Type.Integer({ minimum: 1000, description: 'window length in milliseconds' })),
    allowList: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { description: 'client addresses that are never rate limited' })
    ),
  },
  { additionalProperties: false }
);

const ApiSection = Type.Object(
  {
    rateLimit: Type.Optional(RateLimitSection),
    requestTimeoutMs: Type.Optional(Type.Integer({ minimum: 1000 })),
    bodyLimitBytes: Type.Optional(Type.Integer({ minimum: 1024 })),
    trustProxy: Type.Optional(Type.Union([Type.Boolean(), Type.Array(Type.String({ minLength: 1 }))])),
  },
  { additionalProperties: false }
);

const LoggingSection = Type.Object({ level: Type.Optional(LogLevel) }, { additionalProperties: false });

const AuditSection = Type.Object(
  {
    retentionDays: Type.Optional(Type.Integer({ minimum: 1 })),
    redactFields: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    captureRequests: Type.Optional(Type.Boolean()),
    excludePaths: Type.Optional(Type.Array(Type.String({ pattern: '^/' }))),
    maxBatchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    checkpointEvery: Type.Optional(Type.Integer({ minimum: 1 })),
    checkpointIntervalMs: Type.Optional(Type.Integer({ minimum: 1000 })),
    verifyIntervalHours: Type.Optional(Type.Number({ minimum: 0, maximum: 8760 })),
  },
  { additionalProperties: false }
);

const Fail2banSection = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    client: Type.Optional(Type.String({ minLength: 1, description: 'fail2ban-client, or a command running it' })),
    socket: Type.Optional(Type.String({ minLength: 1 })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000 })),
  },
  { additionalProperties: false }
);

export const ConfigFileSchema = Type.Object(
  {
    api: Type.Optional(ApiSection),
    audit: Type.Optional(AuditSection),
    fail2ban: Type.Optional(Fail2banSection),
    logging: Type.Optional(LoggingSection),
    // Validated by the SOAR module itself (soar/config), which names the offending key.
    autoBlocker: Type.Optional(Type.Unknown()),
    // Validated by the ingest module itself (ingest/config), which names the offending key.
    ingest: Type.Optional(Type.Unknown()),
    // Validated by the security module itself (security/config), which names the offending key.
    security: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false }
);

export type ConfigFile = Static<typeof ConfigFileSchema>;
