import { Type, type Static } from '@sinclair/typebox';

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** One audit event submitted by another application (POST /api/audit/events). */
export const AuditEventSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ pattern: UUID, description: 'generated when absent' })),
    timestamp: Type.Optional(Type.String({ maxLength: 64, description: 'ISO 8601; now when absent' })),
    userId: Type.Optional(Type.String({ maxLength: 256 })),
    username: Type.Optional(Type.String({ maxLength: 256 })),
    action: Type.String({ minLength: 1, maxLength: 128, examples: ['login', 'ban.create'] }),
    resource: Type.String({ minLength: 1, maxLength: 256, examples: ['session', 'bans'] }),
    resourceId: Type.Optional(Type.String({ maxLength: 256 })),
    method: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
    path: Type.Optional(Type.String({ maxLength: 2048 })),
    query: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    body: Type.Optional(Type.Unknown()),
    ip: Type.Optional(Type.String({ maxLength: 64, description: 'IPv4 or IPv6; normalized' })),
    userAgent: Type.Optional(Type.String({ maxLength: 1024 })),
    status: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
    statusCode: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
    responseTime: Type.Optional(Type.Number({ minimum: 0, description: 'milliseconds' })),
    errorMessage: Type.Optional(Type.String({ maxLength: 4096 })),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false, $id: 'AuditEvent' }
);
export type AuditEvent = Static<typeof AuditEventSchema>;

/** A JSON array of events, or `{ "events": [...] }`; each event is validated separately to name its index. */
export const IngestBody = Type.Union([
  Type.Array(Type.Unknown()),
  Type.Object({ events: Type.Array(Type.Unknown()) }, { additionalProperties: false }),
]);
export type IngestBody = Static<typeof IngestBody>;

export const IngestResponse = Type.Object({
  accepted: Type.Integer(),
  firstSeq: Type.Integer(),
  lastSeq: Type.Integer(),
});
export type IngestResponse = Static<typeof IngestResponse>;
