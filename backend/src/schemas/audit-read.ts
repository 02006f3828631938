import { Type, type SchemaOptions, type Static, type TSchema } from '@sinclair/typebox';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../audit/query';

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const HASH = { pattern: '^[0-9a-f]{64}$', description: 'SHA-256, lowercase hex' };

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
// A plain JSON Schema enum: rejected values get "must be equal to one of the allowed values", not one error per
// member of an anyOf.
const StringEnum = <T extends string[]>(values: [...T], options: SchemaOptions = {}) =>
  Type.Unsafe<T[number]>({ ...options, type: 'string', enum: values });
const Status = StringEnum(['success', 'failure']);
const DateTime = (description: string) =>
  Type.String({ format: 'date-time', maxLength: 64, description, examples: ['2024-05-01T00:00:00Z'] });

/** Filters shared by the list and the exports (see `AuditFilter`); empty values are ignored. */
export const auditFilterProperties = {
  user: Type.Optional(Type.String({ maxLength: 256, description: 'username or user id, exactly' })),
  action: Type.Optional(Type.String({ maxLength: 128, examples: ['login'] })),
  resource: Type.Optional(Type.String({ maxLength: 256, examples: ['session'] })),
  ip: Type.Optional(
    Type.String({
      maxLength: 64,
      description: 'an address, or a CIDR block',
      examples: ['192.0.2.0/24', '2001:db8::/32'],
    })
  ),
  from: Type.Optional(DateTime('entries at or after this instant')),
  to: Type.Optional(DateTime('entries at or before this instant')),
  status: Type.Optional(Status),
  q: Type.Optional(
    Type.String({
      maxLength: 512,
      description: 'full text over action, resource, resource id, username, path and error message (web search syntax)',
      examples: ['"invalid password" -admin'],
    })
  ),
};

export const ListEventsQuery = Type.Object(
  {
    ...auditFilterProperties,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })),
    cursor: Type.Optional(Type.String({ maxLength: 256, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false }
);
export type ListEventsQuery = Static<typeof ListEventsQuery>;

export const AuditEventRecord = Type.Object({
  seq: Type.Integer({ description: 'position in the trail' }),
  id: Type.String({ format: 'uuid' }),
  timestamp: Type.String({ format: 'date-time' }),
  userId: Nullable(Type.String()),
  username: Nullable(Type.String()),
  action: Type.String(),
  resource: Type.String(),
  resourceId: Nullable(Type.String()),
  method: Nullable(Type.String()),
  path: Nullable(Type.String()),
  query: Type.Unknown({ description: 'JSON object, or null' }),
  body: Type.Unknown({ description: 'any JSON value, or null' }),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  status: Status,
  statusCode: Nullable(Type.Integer()),
  responseTime: Nullable(Type.Number({ description: 'milliseconds' })),
  errorMessage: Nullable(Type.String()),
  metadata: Type.Unknown({ description: 'JSON object, or null' }),
  leafHash: Type.String(HASH),
  hashPrev: Type.String(HASH),
  hashCurrent: Type.String(HASH),
  archived: Type.Boolean({ description: 'payload cleared after retention; the hashes remain' }),
});
export type AuditEventRecord = Static<typeof AuditEventRecord>;

export const ListEventsResponse = Type.Object({
  events: Type.Array(AuditEventRecord),
  nextCursor: Nullable(Type.String({ description: 'pass as cursor for the next page; null on the last page' })),
});
export type ListEventsResponse = Static<typeof ListEventsResponse>;

export const EventParams = Type.Object({ id: Type.String({ pattern: UUID, description: 'UUID of the entry' }) });
export type EventParams = Static<typeof EventParams>;

export const AuditEventDetail = Type.Composite([
  AuditEventRecord,
  Type.Object({
    canonical: Nullable(
      Type.String({ description: 'base64 of the RFC 8785 bytes that were hashed; null once archived' })
    ),
  }),
]);
export type AuditEventDetail = Static<typeof AuditEventDetail>;

export const StatsQuery = Type.Object(
  {
    from: Type.Optional(DateTime('default: 30 days before to')),
    to: Type.Optional(DateTime('default: now')),
    groupBy: Type.Optional(StringEnum(['day', 'action', 'resource'], { default: 'day' })),
  },
  { additionalProperties: false }
);
export type StatsQuery = Static<typeof StatsQuery>;

export const AuditStatsBucket = Type.Object({
  key: Type.String({ description: 'UTC day (YYYY-MM-DD), action or resource' }),
  total: Type.Integer(),
  failures: Type.Integer(),
});
export type AuditStatsBucket = Static<typeof AuditStatsBucket>;

export const StatsResponse = Type.Object({ buckets: Type.Array(AuditStatsBucket) });
export type StatsResponse = Static<typeof StatsResponse>;
