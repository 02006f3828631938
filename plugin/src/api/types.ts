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
