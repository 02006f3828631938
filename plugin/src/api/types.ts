/**
 * Payload types of the secops API, taken from the backend's TypeBox schemas so they are declared once
 * (STYLE.md). Type-only: nothing of the backend reaches the bundle.
 */
import type {
  AuditEventDetail,
  AuditEventRecord,
  ListEventsQuery,
  ListEventsResponse,
} from '../../../backend/src/schemas/audit-read';
import type { IngestResponse } from '../../../backend/src/schemas/audit';
import type {
  CheckpointResponse as CheckpointSchema,
  InclusionResponse as InclusionSchema,
  IntegrityResponse as IntegritySchema,
  VerifyResponse as VerifySchema,
} from '../../../backend/src/schemas/audit-proof';
import type { ReadyResponse, SessionResponse } from '../../../backend/src/schemas/system';
import type { ErrorResponse } from '../../../backend/src/schemas/common';
import type {
  BanSchema,
  BansQuery,
  BansResponse as BansResponseSchema,
  LiftResponse as LiftResponseSchema,
  WhitelistAddBody,
  WhitelistAddResponse as WhitelistAddResponseSchema,
  WhitelistEntrySchema,
  WhitelistResponse as WhitelistResponseSchema,
} from '../../../backend/src/schemas/soar';
import type {
  BanResponse as JailBanResponse,
  JailStatusSchema,
  StatusResponse as Fail2banStatus,
} from '../../../backend/src/schemas/fail2ban';
import type {
  ManualBanBody,
  SecurityEventRecordSchema,
  SecurityEventsResponse as SecurityEventsSchema,
  SecuritySeriesResponse as SecuritySeriesSchema,
  SecurityStatsResponse as SecurityStatsSchema,
} from '../../../backend/src/schemas/security';

export type { AuditEventDetail, AuditEventRecord, ListEventsResponse, IngestResponse, ReadyResponse, SessionResponse };
export type { ErrorResponse };
// `static` is TypeBox's Static<> of a schema, read off the schema type so that the plugin needs no TypeBox of its own.
export type Checkpoint = (typeof CheckpointSchema)['static'];
export type InclusionProof = (typeof InclusionSchema)['static'];
export type VerifyReport = (typeof VerifySchema)['static'];
export type AuditIntegrity = (typeof IntegritySchema)['static'];
export type SecurityStats = (typeof SecurityStatsSchema)['static'];
export type SecurityEventRecord = (typeof SecurityEventRecordSchema)['static'];
export type SecurityEventsPage = (typeof SecurityEventsSchema)['static'];
export type SecuritySeries = (typeof SecuritySeriesSchema)['static'];

/** The list filters the API accepts (shared by the list and the export). */
export type AuditFilter = Omit<ListEventsQuery, 'limit' | 'cursor'>;
export type AuditStatus = NonNullable<AuditFilter['status']>;

export type Ban = (typeof BanSchema)['static'];
export type BanEnforcement = Ban['enforcement'][number];
export type BansResponse = (typeof BansResponseSchema)['static'];
export type LiftResponse = (typeof LiftResponseSchema)['static'];
export type BanState = NonNullable<BansQuery['state']>;
export type { ManualBanBody, WhitelistAddBody };
export type WhitelistEntry = (typeof WhitelistEntrySchema)['static'];
export type WhitelistResponse = (typeof WhitelistResponseSchema)['static'];
export type WhitelistAddResponse = (typeof WhitelistAddResponseSchema)['static'];
export type JailStatus = (typeof JailStatusSchema)['static'];
export type { Fail2banStatus, JailBanResponse };
