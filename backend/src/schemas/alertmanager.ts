import { Type, type SchemaOptions, type Static } from '@sinclair/typebox';

const StringEnum = <T extends string[]>(values: [...T], options: SchemaOptions = {}) =>
  Type.Unsafe<T[number]>({ ...options, type: 'string', enum: values });

const AlertStatus = StringEnum(['firing', 'resolved']);
const LabelSet = Type.Record(Type.String(), Type.String(), { maxProperties: 256 });
const DateTime = Type.String({ format: 'date-time', maxLength: 64, examples: ['2026-12-04T10:00:00.123Z'] });

/** One alert of a notification (Alertmanager's template.Alert). Fields Alertmanager may add later are ignored. */
export const AlertmanagerAlert = Type.Object({
  status: AlertStatus,
  labels: LabelSet,
  annotations: LabelSet,
  startsAt: DateTime,
  endsAt: Type.String({
    maxLength: 64,
    description: 'RFC 3339; 0001-01-01T00:00:00Z (Go zero time) or a future time while firing',
  }),
  generatorURL: Type.Optional(Type.String({ maxLength: 8192 })),
  fingerprint: Type.String({ minLength: 1, maxLength: 128, pattern: '^[0-9A-Za-z]+$', examples: ['c6eadffa33fcdf37'] }),
});
export type AlertmanagerAlert = Static<typeof AlertmanagerAlert>;

/**
 * Alertmanager's webhook payload, version 4 (CONTRACTS §2.1; notify/webhook/webhook.go). Unknown fields
 * (`notification_reason`, `routeLabels` of newer releases…) are accepted and ignored.
 */
export const AlertmanagerNotification = Type.Object({
  version: Type.Literal('4'),
  groupKey: Type.String({ maxLength: 16_384 }),
  truncatedAlerts: Type.Optional(Type.Integer({ minimum: 0 })),
  status: AlertStatus,
  receiver: Type.String({ maxLength: 256 }),
  groupLabels: Type.Optional(LabelSet),
  commonLabels: Type.Optional(LabelSet),
  commonAnnotations: Type.Optional(LabelSet),
  externalURL: Type.Optional(Type.String({ maxLength: 8192 })),
  alerts: Type.Array(AlertmanagerAlert, { maxItems: 1000 }),
});
export type AlertmanagerNotification = Static<typeof AlertmanagerNotification>;

export const AlertOutcomeSchema = Type.Object({
  fingerprint: Type.String(),
  status: AlertStatus,
  startsAt: Type.String(),
  recorded: Type.Boolean({ description: 'false: already recorded by an earlier delivery (nothing changed)' }),
  ip: Type.Union([Type.String(), Type.Null()], { description: 'the address of its address label, if any' }),
  eventId: Type.Union([Type.String(), Type.Null()], { description: 'the security event made from it, if any' }),
});

export const AlertmanagerResponse = Type.Object({
  recorded: Type.Integer({ description: 'alerts recorded by this delivery' }),
  duplicates: Type.Integer({ description: 'alerts an earlier delivery had recorded' }),
  alerts: Type.Array(AlertOutcomeSchema),
});
export type AlertmanagerResponse = Static<typeof AlertmanagerResponse>;
