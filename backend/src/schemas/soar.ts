/** Schemas of the auto-blocker API (routes/soar.ts): bans, whitelist, rules and infractions. */
import { Type, type Static } from '@sinclair/typebox';
import { Address, DecisionSchema, Nullable, Outcomes, Reason, StringEnum } from './security';

export const EnforcementSchema = Type.Object({
  adapter: Type.String({ examples: ['fail2ban'] }),
  action: StringEnum(['ban', 'unban']),
  state: StringEnum(['pending', 'running', 'done', 'failed', 'skipped', 'cancelled']),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  nextAttemptAt: Nullable(Type.String({ format: 'date-time', description: 'next retry, while pending' })),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const BanSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  ip: Type.String({ description: 'an address or a CIDR block' }),
  ruleId: Type.String({ description: 'the auto-blocker rule, or "manual"' }),
  source: Type.String({ examples: ['auto-blocker', 'api', 'infraction'] }),
  reason: Nullable(Type.String()),
  actor: Type.String(),
  severity: Nullable(Type.String()),
  eventId: Nullable(Type.String({ description: 'the event that triggered it' })),
  at: Type.String({ format: 'date-time' }),
  until: Nullable(Type.String({ format: 'date-time', description: 'null: permanent' })),
  duration: Type.Integer({ description: 'seconds; -1 permanent' }),
  banNumber: Type.Integer(),
  active: Type.Boolean(),
  endedAt: Nullable(Type.String({ format: 'date-time', description: 'when its expiry was handled' })),
  liftedAt: Nullable(Type.String({ format: 'date-time' })),
  liftedBy: Nullable(Type.String()),
  liftReason: Nullable(Type.String()),
  enforcement: Type.Array(EnforcementSchema, { description: 'state of each enforcement adapter' }),
});

export const BansQuery = Type.Object(
  {
    state: Type.Optional(StringEnum(['active', 'history', 'all'], { default: 'active' })),
    ip: Type.Optional(Address('bans of this address or inside this block')),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false }
);
export type BansQuery = Static<typeof BansQuery>;

export const BansResponse = Type.Object({ bans: Type.Array(BanSchema), nextCursor: Nullable(Type.String()) });
export const LiftResponse = Type.Object({ lifted: Type.Array(BanSchema) });

export const WhitelistEntrySchema = Type.Object({
  ip: Type.String(),
  reason: Type.String(),
  actor: Type.String(),
  createdAt: Type.String({ description: 'empty for the configuration file entries' }),
  expiresAt: Nullable(Type.String({ format: 'date-time' })),
  source: StringEnum(['config', 'api']),
});

export const WhitelistResponse = Type.Object({ entries: Type.Array(WhitelistEntrySchema) });

export const WhitelistAddBody = Type.Object(
  {
    ip: Address('an address or a CIDR block'),
    reason: Reason,
    expiresAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 64, description: 'default: never' })),
    ttlSeconds: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 3650 * 86_400, description: 'instead of expiresAt' })
    ),
  },
  { additionalProperties: false }
);
export type WhitelistAddBody = Static<typeof WhitelistAddBody>;

export const WhitelistAddResponse = Type.Object({
  entry: WhitelistEntrySchema,
  created: Type.Boolean({ description: 'false when an existing entry was updated' }),
  liftedBans: Type.Integer({ description: 'bans in force inside the entry, lifted' }),
});

export const WhitelistRemoveBody = Type.Object(
  { ip: Address('the entry to remove'), reason: Reason },
  { additionalProperties: false }
);
export type WhitelistRemoveBody = Static<typeof WhitelistRemoveBody>;

export const RuleSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  match: Type.Object({
    event: Type.Optional(Type.Array(Type.String())),
    status: Type.Optional(Type.Array(Type.Integer())),
    method: Type.Optional(Type.Array(Type.String())),
    pathPrefix: Type.Optional(Type.String()),
  }),
  threshold: Type.Integer(),
  windowMs: Type.Integer(),
  duration: Type.Integer({ description: 'seconds, before escalation' }),
  action: StringEnum(['ban_temp', 'ban_perm', 'alert']),
  severity: Type.String(),
  matched: Type.Integer({ description: 'events this process counted for the rule since it started' }),
  decisions: Type.Integer({ description: 'bans or alerts this process decided since it started' }),
});

export const RulesResponse = Type.Object({
  rules: Type.Array(RuleSchema),
  escalation: Type.Object({
    factor: Type.Number(),
    maxDuration: Type.Integer(),
    permanentAfter: Type.Integer(),
    permanentWindowMs: Type.Integer(),
  }),
  whitelist: Type.Array(Type.String(), { description: 'the configuration file entries' }),
});

export const InfractionBody = Type.Object(
  {
    ip: Address('the offending address'),
    ruleId: Type.String({ minLength: 1, maxLength: 64 }),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false }
);
export type InfractionBody = Static<typeof InfractionBody>;

export const InfractionResponse = Type.Object({
  eventId: Type.String(),
  outcome: Type.String(),
  outcomes: Outcomes,
  decisions: Type.Array(DecisionSchema),
});
