import { Type, type Static } from '@sinclair/typebox';

export const HealthResponse = Type.Object({
  status: Type.Literal('ok'),
  version: Type.String(),
  uptimeSeconds: Type.Number(),
});

export const ReadyResponse = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  database: Type.Object({
    kind: Type.Union([Type.Literal('postgres'), Type.Literal('pglite')]),
    reachable: Type.Boolean(),
    error: Type.Optional(Type.String()),
  }),
  migrations: Type.Object({
    applied: Type.Integer(),
    pending: Type.Array(Type.String()),
  }),
});
export type ReadyResponse = Static<typeof ReadyResponse>;

export const SessionResponse = Type.Object({
  role: Type.Union([Type.Literal('viewer'), Type.Literal('admin'), Type.Literal('ingest')]),
  user: Type.String(),
});
export type SessionResponse = Static<typeof SessionResponse>;

export const SystemInfoResponse = Type.Object({
  version: Type.String(),
  node: Type.String(),
  instanceId: Type.String({ format: 'uuid' }),
  startedAt: Type.String({ format: 'date-time' }),
  uptimeSeconds: Type.Number(),
  database: Type.Object({
    kind: Type.Union([Type.Literal('postgres'), Type.Literal('pglite')]),
    location: Type.String(),
    migrations: Type.Array(
      Type.Object({ version: Type.Integer(), name: Type.String(), appliedAt: Type.String({ format: 'date-time' }) })
    ),
  }),
});
export type SystemInfoResponse = Static<typeof SystemInfoResponse>;

export const InstancesResponse = Type.Object({
  instances: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      hostname: Type.String(),
      pid: Type.Integer(),
      version: Type.String(),
      startedAt: Type.String({ format: 'date-time' }),
      lastSeenAt: Type.String({ format: 'date-time' }),
      stoppedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      alive: Type.Boolean(),
    })
  ),
});
export type InstancesResponse = Static<typeof InstancesResponse>;

const SecretState = Type.Union([
  Type.Literal('from environment'),
  Type.Literal('generated file'),
  Type.Literal('not set'),
]);

export const ConfigResponse = Type.Object({
  configFile: Type.Union([Type.String(), Type.Null()]),
  server: Type.Object({
    host: Type.String(),
    port: Type.Integer(),
    requestTimeoutMs: Type.Integer(),
    keepAliveTimeoutMs: Type.Integer(),
    shutdownTimeoutMs: Type.Integer(),
    bodyLimitBytes: Type.Integer(),
    trustProxy: Type.Union([Type.Boolean(), Type.Array(Type.String())]),
  }),
  database: Type.Object({
    kind: Type.Union([Type.Literal('postgres'), Type.Literal('pglite')]),
    location: Type.String(),
    poolMax: Type.Integer(),
    statementTimeoutMs: Type.Integer(),
  }),
  dataDir: Type.String(),
  logLevel: Type.String(),
  rateLimit: Type.Object({ max: Type.Integer(), windowMs: Type.Integer(), allowList: Type.Array(Type.String()) }),
  tokens: Type.Object({ viewer: SecretState, admin: SecretState, ingest: SecretState, metrics: SecretState }),
});
export type ConfigResponse = Static<typeof ConfigResponse>;
