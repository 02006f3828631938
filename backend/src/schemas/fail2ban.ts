import { Type, type SchemaOptions, type Static, type TSchema } from '@sinclair/typebox';
import { JAIL_NAME_PATTERN } from '../fail2ban/validate';

const StringEnum = <T extends string[]>(values: [...T], options: SchemaOptions = {}) =>
  Type.Unsafe<T[number]>({ ...options, type: 'string', enum: values });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const Jail = Type.String({ pattern: JAIL_NAME_PATTERN, examples: ['cartae-api-auth'] });
// The address is checked (and normalized) by the handler, which names it in its 400 message.
const Address = Type.String({ minLength: 1, maxLength: 64, examples: ['203.0.113.9', '2001:db8::1'] });
const Reason = Type.String({ minLength: 1, maxLength: 1024, description: 'why: recorded in the audit trail' });

export const JailStatusSchema = Type.Object({
  jail: Type.String(),
  currentlyFailed: Type.Integer({ description: 'addresses with failures inside findtime' }),
  totalFailed: Type.Integer(),
  currentlyBanned: Type.Integer(),
  totalBanned: Type.Integer({ description: 'since the server started' }),
  bannedIps: Type.Array(Type.String(), { description: 'normalized addresses' }),
  fileList: Type.Optional(Type.Array(Type.String())),
  journalMatches: Type.Optional(Type.String()),
});

export const StatusResponse = Type.Object({ jails: Type.Array(JailStatusSchema) });
export type StatusResponse = Static<typeof StatusResponse>;

export const JailParams = Type.Object({ jail: Jail });
export const JailIpParams = Type.Object({ jail: Jail, ip: Address });

export const BanBody = Type.Object({ ip: Address, reason: Reason }, { additionalProperties: false });
export type BanBody = Static<typeof BanBody>;

export const UnbanBody = Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false });
export const UnbanQuery = Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false });

export const BanResponse = Type.Object({
  jail: Type.String(),
  ip: Type.String({ description: 'as Fail2ban holds it (normalized)' }),
  changed: Type.Boolean({ description: 'false when the address already was (ban) or was not (unban) banned' }),
});
export type BanResponse = Static<typeof BanResponse>;

/** `prolong`: a ban's longer ban time (bantime.increment), computed by Fail2ban after the ban was reported. */
const Action = StringEnum(['ban', 'unban', 'prolong']);

/**
 * What action.d/cartae-secops.conf posts (form-encoded, so every value arrives as text and is coerced here).
 * `event` is accepted for `action` (the field name of CONTRACTS §1.6's sample action). Other fields are ignored.
 */
export const ReportBody = Type.Object({
  jail: Jail,
  ip: Address,
  action: Type.Optional(Action),
  event: Type.Optional(Action),
  time: Type.Number({ minimum: 0, maximum: 1e11, description: 'Fail2ban <time>: Unix seconds the ban started' }),
  bantime: Type.Optional(Type.Integer({ minimum: -1, description: 'seconds, -1 permanent' })),
  bancount: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
  failures: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
  restored: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })),
});
export type ReportBody = Static<typeof ReportBody>;

export const Fail2banEventSchema = Type.Object({
  id: Type.Integer(),
  jail: Type.String(),
  ip: Type.String(),
  action: Action,
  time: Type.String({ format: 'date-time', description: 'when the ban started (an unban carries its ban’s)' }),
  bantime: Nullable(Type.Integer({ description: 'seconds, -1 permanent' })),
  bancount: Nullable(Type.Integer()),
  failures: Nullable(Type.Integer()),
  restored: Type.Boolean({ description: 're-applied by Fail2ban from its database at start-up' }),
  reporter: Nullable(Type.String({ description: 'address the report came from' })),
  reportedBy: Type.String(),
  receivedAt: Type.String({ format: 'date-time' }),
});

export const ReportResponse = Type.Object({
  recorded: Type.Boolean({ description: 'false when this report was already recorded (a retry)' }),
  event: Fail2banEventSchema,
});

export const ListReportsQuery = Type.Object(
  {
    jail: Type.Optional(Jail),
    ip: Type.Optional(Address),
    action: Type.Optional(Action),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 32, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false }
);
export type ListReportsQuery = Static<typeof ListReportsQuery>;

export const ListReportsResponse = Type.Object({
  events: Type.Array(Fail2banEventSchema),
  nextCursor: Nullable(Type.String({ description: 'null on the last page' })),
});
