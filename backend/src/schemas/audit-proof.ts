import { Type, type Static } from '@sinclair/typebox';

const Hash = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256, lowercase hex' });

/** Query string of POST /api/audit/verify: an optional seq range (default: everything). */
export const VerifyQuery = Type.Object(
  {
    fromSeq: Type.Optional(Type.Integer({ minimum: 0 })),
    toSeq: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false }
);

export const VerifyResponse = Type.Object({
  valid: Type.Boolean(),
  checked: Type.Integer(),
  treeSize: Type.Integer(),
  rootHash: Type.String(),
  checkpointsChecked: Type.Integer(),
  durationMs: Type.Number(),
  firstInvalid: Type.Optional(Type.Object({ seq: Type.Integer(), reason: Type.String() })),
  archived: Type.Optional(
    Type.Integer({ description: 'checked entries whose payload was archived: linked and in the tree, not re-hashed' })
  ),
  archivedRehashed: Type.Optional(Type.Integer({ description: 'archived entries re-hashed from archive files' })),
});

export const CheckpointResponse = Type.Object({
  treeSize: Type.Integer(),
  rootHash: Hash,
  timestamp: Type.String({ description: 'ISO 8601 UTC with milliseconds, as signed' }),
  signature: Type.String({ description: 'Ed25519 over the RFC 8785 bytes of {treeSize, rootHash, timestamp}, base64' }),
  keyFingerprint: Type.String(),
});

export const InclusionQuery = Type.Object({
  seq: Type.Integer({ minimum: 0 }),
  treeSize: Type.Optional(Type.Integer({ minimum: 1, description: 'default: the current size' })),
});
export type InclusionQuery = Static<typeof InclusionQuery>;

export const InclusionResponse = Type.Object({
  seq: Type.Integer(),
  treeSize: Type.Integer(),
  leafHash: Hash,
  rootHash: Hash,
  proof: Type.Array(Hash),
});

export const ConsistencyQuery = Type.Object({
  from: Type.Integer({ minimum: 1 }),
  to: Type.Optional(Type.Integer({ minimum: 1, description: 'default: the current size' })),
});
export type ConsistencyQuery = Static<typeof ConsistencyQuery>;

export const ConsistencyResponse = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  fromRoot: Hash,
  toRoot: Hash,
  proof: Type.Array(Hash),
});

const VerificationRecord = Type.Object({
  id: Type.Integer(),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  durationMs: Type.Integer(),
  source: Type.Union([Type.Literal('api'), Type.Literal('cli'), Type.Literal('schedule')]),
  actor: Type.Union([Type.String(), Type.Null()]),
  fromSeq: Type.Integer(),
  toSeq: Type.Union([Type.Integer(), Type.Null()]),
  whole: Type.Boolean({ description: 'the whole trail was checked, with the signed checkpoints' }),
  valid: Type.Boolean(),
  checked: Type.Integer(),
  treeSize: Type.Integer(),
  rootHash: Type.Union([Type.String(), Type.Null()]),
  checkpointsChecked: Type.Integer(),
  archived: Type.Integer(),
  firstInvalid: Type.Optional(Type.Object({ seq: Type.Integer(), reason: Type.String() })),
});

export const VerificationsQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 20 })) },
  { additionalProperties: false }
);

export const VerificationsResponse = Type.Object({ items: Type.Array(VerificationRecord) });

export const IntegrityResponse = Type.Object({
  status: Type.Union([Type.Literal('valid'), Type.Literal('invalid'), Type.Literal('unknown')], {
    description: 'the result of the latest whole-trail verification; unknown before the first',
  }),
  overdue: Type.Boolean({
    description:
      'no whole-trail verification finished within the interval (24 h when the backend never verifies by itself)',
  }),
  verifyIntervalHours: Type.Number({ description: '0: the backend never verifies by itself' }),
  latest: Type.Optional(VerificationRecord),
});
