/** Schemas of the security events API (routes/security-*.ts): ingestion, reading, stats and manual bans. */
import { Type, type SchemaOptions, type Static, type TSchema } from '@sinclair/typebox';

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const StringEnum = <T extends string[]>(values: [...T], options: SchemaOptions = {}) =>
  Type.Unsafe<T[number]>({ ...options, type: 'string', enum: values });
const DateTime = (description: string) =>
  Type.String({ format: 'date-time', maxLength: 64, description, examples: ['2026-03-01T12:00:00Z'] });
export const Address = (description: string) =>
  Type.String({ minLength: 1, maxLength: 64, description, examples: ['192.0.2.10', '198.51.100.0/24'] });
export const Reason = Type.String({ minLength: 1, maxLength: 1024, description: 'why: recorded in the audit trail' });

// Tuples, so that the schemas' static types are the unions of these values (for clients such as the app plugin).
export const SEVERITIES: ['info', 'low', 'medium', 'high', 'critical'] = ['info', 'low', 'medium', 'high', 'critical'];
export const OUTCOMES: ['ignored', 'counted', 'alerted', 'banned', 'blocked', 'whitelisted'] = [
  'ignored',
  'counted',
  'alerted',
  'banned',
  'blocked',
  'whitelisted',
];
const Severity = StringEnum(SEVERITIES);
const OutcomeSchema = StringEnum(OUTCOMES);

/** A JSON array of events, or `{ "events": [...] }`; each event is validated separately to name its index. */
export const SecurityIngestBody = Type.Union([
  Type.Array(Type.Unknown(), { description: 'canonical security events (time, event, ip, user, method, path, …)' }),
  Type.Object({ events: Type.Array(Type.Unknown()) }, { additionalProperties: false }),
]);
export type SecurityIngestBody = Static<typeof SecurityIngestBody>;

export const DecisionSchema = Type.Object({
  banId: Nullable(Type.String({ description: 'null for an alert' })),
  action: StringEnum(['ban', 'alert']),
  ip: Type.String(),
  ruleId: Type.String(),
  severity: Type.String(),
  at: Type.String({ format: 'date-time' }),
  until: Nullable(Type.String({ format: 'date-time', description: 'null: permanent' })),
  duration: Type.Integer({ description: 'seconds; -1 permanent, 0 for an alert' }),
  banNumber: Type.Integer({ description: '1 + earlier bans of the address within the escalation window' }),
  eventId: Nullable(Type.String()),
});

export const Outcomes = Type.Object(
  Object.fromEntries(OUTCOMES.map((o) => [o, Type.Integer()])) as Record<string, ReturnType<typeof Type.Integer>>
);

export const SecurityIngestResponse = Type.Object({
  accepted: Type.Integer(),
  outcomes: Outcomes,
  decisions: Type.Array(DecisionSchema),
});

export const SecurityEventRecordSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  time: Type.String({ format: 'date-time' }),
  type: Type.String(),
  ip: Type.String(),
  user: Nullable(Type.String()),
  method: Nullable(Type.String()),
  path: Nullable(Type.String()),
  status: Nullable(Type.Integer()),
  userAgent: Nullable(Type.String()),
  bytes: Nullable(Type.Integer()),
  msg: Nullable(Type.String()),
  jail: Nullable(Type.String()),
  severity: Severity,
  outcome: OutcomeSchema,
  ruleId: Nullable(Type.String()),
  source: Type.String(),
  receivedAt: Type.String({ format: 'date-time' }),
});

export const SecurityEventsQuery = Type.Object(
  {
    type: Type.Optional(Type.String({ maxLength: 128, examples: ['auth.login.failed'] })),
    ip: Type.Optional(Address('an address, or a CIDR block')),
    user: Type.Optional(Type.String({ maxLength: 256 })),
    from: Type.Optional(DateTime('events at or after this instant (event time)')),
    to: Type.Optional(DateTime('events at or before this instant (event time)')),
    severity: Type.Optional(Severity),
    outcome: Type.Optional(OutcomeSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 256, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false }
);
export type SecurityEventsQuery = Static<typeof SecurityEventsQuery>;

export const SecurityEventsResponse = Type.Object({
  events: Type.Array(SecurityEventRecordSchema),
  nextCursor: Nullable(Type.String({ description: 'pass as cursor for the next page; null on the last page' })),
});

export const EventIdParams = Type.Object({ id: Type.String({ pattern: UUID, description: 'UUID of the event' }) });
export type EventIdParams = Static<typeof EventIdParams>;

export const SecurityStatsQuery = Type.Object(
  {
    from: Type.Optional(DateTime('default: 24 hours before to')),
    to: Type.Optional(DateTime('default: now')),
  },
  { additionalProperties: false }
);
export type SecurityStatsQuery = Static<typeof SecurityStatsQuery>;

export const SecurityStatsResponse = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  total: Type.Integer(),
  byType: Type.Array(Type.Object({ type: Type.String(), count: Type.Integer() })),
  bySeverity: Type.Array(Type.Object({ severity: Severity, count: Type.Integer() })),
  counts: Type.Array(Type.Object({ type: Type.String(), severity: Severity, count: Type.Integer() })),
  activeBans: Type.Integer({ description: 'bans in force now (all processes)' }),
  blockedIps24h: Type.Integer({ description: 'addresses and blocks banned at any moment of the last 24 hours' }),
  topIps: Type.Array(Type.Object({ ip: Type.String(), events: Type.Integer(), blocked: Type.Integer() })),
});

export const ManualBanBody = Type.Object(
  {
    ip: Address('an address or a CIDR block'),
    duration: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 * 86_400, description: 'seconds' })),
    permanent: Type.Optional(Type.Boolean({ description: 'true instead of a duration' })),
    reason: Reason,
  },
  { additionalProperties: false }
);
export type ManualBanBody = Static<typeof ManualBanBody>;

export const BanIpParams = Type.Object({
  ip: Address('an address, or a CIDR block with its "/" written %2F'),
});
export type BanIpParams = Static<typeof BanIpParams>;

export const ReasonBody = Type.Object({ reason: Reason }, { additionalProperties: false });
export const LiftBody = Type.Object(
  { ip: Address('an address or a CIDR block'), reason: Reason },
  { additionalProperties: false }
);
export type LiftBody = Static<typeof LiftBody>;
export const ReasonQuery = Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false });

export const StreamQuery = Type.Object(
  {
    all: Type.Optional(Type.Boolean({ description: 'also routine events (severity info); default: relevant only' })),
  },
  { additionalProperties: false }
);
export type StreamQuery = Static<typeof StreamQuery>;

export const SecuritySeriesQuery = Type.Object(
  {
    from: Type.Optional(DateTime('default: 24 hours before to')),
    to: Type.Optional(DateTime('default: now')),
    interval: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 366 * 86_400,
        description: 'bucket width in seconds; default: a round width giving about 100 buckets',
        examples: [300],
      })
    ),
  },
  { additionalProperties: false }
);
export type SecuritySeriesQuery = Static<typeof SecuritySeriesQuery>;

export const SecuritySeriesResponse = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  intervalSeconds: Type.Integer(),
  series: Type.Array(
    Type.Object({
      type: Type.String(),
      total: Type.Integer({ description: 'events of the type in the range' }),
      points: Type.Array(
        Type.Object({
          time: Type.String({ format: 'date-time', description: 'start of the bucket (UTC)' }),
          count: Type.Integer(),
        }),
        { description: 'every bucket of the range, oldest first, 0 when empty' }
      ),
    }),
    { description: 'one per event type seen in the range, most events first' }
  ),
});
