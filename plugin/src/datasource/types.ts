import type { DataSourceJsonData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import type { SecurityEventsResponse, SecurityStatsResponse } from '../../../backend/src/schemas/security';
import type { BansResponse } from '../../../backend/src/schemas/soar';
import type { StatsResponse } from '../../../backend/src/schemas/audit-read';

/** What a query asks the secops API for; each type answers with its own frames (README: "Data source"). */
export const QueryType = {
  Events: 'events',
  EventCounts: 'eventCounts',
  ActiveBans: 'activeBans',
  AuditStats: 'auditStats',
} as const;
export type SecopsQueryType = (typeof QueryType)[keyof typeof QueryType];

export const AUDIT_GROUP_BY = ['day', 'action', 'resource'] as const;
export type AuditGroupBy = (typeof AUDIT_GROUP_BY)[number];

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface SecopsQuery extends DataQuery {
  queryType: SecopsQueryType;
  /** Events, event counts: an event type; event counts take a comma-separated list (or a multi-value variable). */
  eventType?: string;
  /** Events, active bans: an address or a CIDR block. */
  ip?: string;
  /** Events: a user name. */
  user?: string;
  /** Events: only events of this severity. */
  severity?: Severity;
  /** Events, active bans: rows to fetch (pages of the API are followed up to it). */
  limit?: number;
  /** Audit stats: how entries are counted. */
  groupBy?: AuditGroupBy;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 5000;

export const DEFAULT_QUERY: Partial<SecopsQuery> = { queryType: QueryType.Events, limit: DEFAULT_LIMIT };

/** jsonData of a data source instance: where the Grafana server reaches the secops API. */
export interface SecopsOptions extends DataSourceJsonData {
  backendUrl?: string;
}

/** secureJsonData: the viewer token, sent by the data source proxy route and never returned to the browser. */
export interface SecopsSecureOptions {
  viewerToken?: string;
}

// Payload types from the backend's schemas (`static` is TypeBox's Static<> of a schema), declared once.
export type EventsPage = (typeof SecurityEventsResponse)['static'];
export type SecurityEvent = EventsPage['events'][number];
export type SecurityStats = (typeof SecurityStatsResponse)['static'];
export type BansPage = (typeof BansResponse)['static'];
export type Ban = BansPage['bans'][number];
export type AuditStats = StatsResponse;
