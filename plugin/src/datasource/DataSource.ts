import {
  DataSourceApi,
  type DataFrame,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type LegacyMetricFindQueryOptions,
  type MetricFindValue,
  type ScopedVars,
  type TestDataSourceResponse,
  type TimeRange,
} from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import { get } from './api';
import { auditStatsFrame, bansFrame, eventsFrame } from './frames';
import { bucketSeconds, decodeEventCountSeries, eventCountFrames } from './series';
import { checkConnection } from './testConnection';
import {
  DEFAULT_LIMIT,
  DEFAULT_QUERY,
  MAX_LIMIT,
  QueryType,
  type AuditStats,
  type Ban,
  type BansPage,
  type EventsPage,
  type SecopsOptions,
  type SecopsQuery,
  type SecurityEvent,
  type SecurityStats,
} from './types';

/** Rows per request: the API's own maximum page size. */
const PAGE_SIZE = 500;

const splitList = (value?: string) =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/** The variable queries `metricFindQuery` answers (README: "Template variables"). */
export const VARIABLE_QUERIES = ['types', 'ips', 'bannedIps'] as const;

/**
 * A frontend data source: every call goes from the browser through Grafana's data source proxy (plugin.json
 * `routes`), which adds the viewer token server-side. There is no Go backend, so no alerting on these queries.
 */
export class DataSource extends DataSourceApi<SecopsQuery, SecopsOptions> {
  /** `/api/datasources/proxy/uid/<uid>`: Grafana's proxy URL of this instance. */
  readonly proxyUrl: string;
  readonly backendUrl: string;

  constructor(instanceSettings: DataSourceInstanceSettings<SecopsOptions>) {
    super(instanceSettings);
    this.proxyUrl = instanceSettings.url ?? `/api/datasources/proxy/uid/${instanceSettings.uid}`;
    this.backendUrl = instanceSettings.jsonData.backendUrl ?? '';
  }

  getDefaultQuery(): Partial<SecopsQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(query: SecopsQuery): boolean {
    return !query.hide;
  }

  /** Dashboard variables in every text option; a multi-value variable becomes a comma-separated list. */
  applyTemplateVariables(query: SecopsQuery, scopedVars: ScopedVars): SecopsQuery {
    const srv = getTemplateSrv();
    const replace = (value?: string) => (value ? srv.replace(value, scopedVars, 'csv') : value);
    return { ...query, eventType: replace(query.eventType), ip: replace(query.ip), user: replace(query.user) };
  }

  interpolateVariablesInQueries(queries: SecopsQuery[], scopedVars: ScopedVars): SecopsQuery[] {
    return queries.map((query) => this.applyTemplateVariables(query, scopedVars));
  }

  async query(request: DataQueryRequest<SecopsQuery>): Promise<DataQueryResponse> {
    const queries = request.targets
      .filter((query) => this.filterQuery(query))
      .map((query) => this.applyTemplateVariables(query, request.scopedVars));
    const settled = await Promise.allSettled(queries.map((query) => this.runQuery(query, request)));
    const data: DataFrame[] = [];
    const errors: DataQueryError[] = [];
    settled.forEach((result, i) => {
      if (result.status === 'fulfilled') {
        data.push(...result.value);
      } else {
        const message = result.reason instanceof Error ? result.reason.message : String(result.reason);
        errors.push({ refId: queries[i].refId, message });
      }
    });
    return errors.length > 0 ? { data, errors, error: errors[0] } : { data };
  }

  private async runQuery(query: SecopsQuery, request: DataQueryRequest<SecopsQuery>): Promise<DataFrame[]> {
    const { range } = request;
    const window = { from: range.from.toISOString(), to: range.to.toISOString() };
    switch (query.queryType ?? QueryType.Events) {
      case QueryType.Events:
        return [eventsFrame(query.refId, await this.events(query, window))];
      case QueryType.EventCounts: {
        const interval = bucketSeconds(
          range.from.valueOf(),
          range.to.valueOf(),
          request.intervalMs,
          request.maxDataPoints
        );
        const raw = await get<unknown>(this.proxyUrl, 'api/security/stats/series', { ...window, interval });
        const decoded = decodeEventCountSeries(raw);
        const wanted = splitList(query.eventType);
        const series = wanted.length ? decoded.series.filter((s) => wanted.includes(s.type)) : decoded.series;
        return eventCountFrames(query.refId, { ...decoded, series });
      }
      case QueryType.ActiveBans:
        return [bansFrame(query.refId, await this.activeBans(query))];
      case QueryType.AuditStats: {
        const groupBy = query.groupBy ?? 'day';
        const stats = await get<AuditStats>(this.proxyUrl, 'api/audit/stats', { ...window, groupBy });
        return [auditStatsFrame(query.refId, groupBy, stats)];
      }
      default:
        throw new Error(`Unknown query type "${String(query.queryType)}"`);
    }
  }

  /** Events of the window, newest first, following the API's pages up to the query's limit; one type or several. */
  private async events(query: SecopsQuery, window: { from: string; to: string }): Promise<SecurityEvent[]> {
    const limit = clampLimit(query.limit);
    const filters = { ...window, ip: query.ip, user: query.user, severity: query.severity };
    // The API filters on one type: several are fetched side by side and merged.
    const types: Array<string | undefined> = splitList(query.eventType);
    const perType = await Promise.all(
      (types.length > 0 ? types : [undefined]).map((type) =>
        this.pages('api/security/events', { ...filters, type }, limit, (page: EventsPage) => page.events)
      )
    );
    return perType
      .flat()
      .sort((a, b) => Date.parse(b.time) - Date.parse(a.time))
      .slice(0, limit);
  }

  private activeBans(query: SecopsQuery): Promise<Ban[]> {
    const params = { state: 'active', ip: query.ip };
    return this.pages('api/soar/bans', params, clampLimit(query.limit), (page: BansPage) => page.bans);
  }

  private async pages<T, P extends { nextCursor: string | null } = { nextCursor: string | null }>(
    path: `api/${string}`,
    params: Record<string, string | undefined>,
    limit: number,
    rows: (page: P) => T[]
  ): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await get<P>(this.proxyUrl, path, {
        ...params,
        limit: Math.min(PAGE_SIZE, limit - out.length),
        cursor,
      });
      out.push(...rows(page));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && out.length < limit);
    return out.slice(0, limit);
  }

  /** Values for dashboard variables: `types`, `ips` (top addresses) over the dashboard's range, or `bannedIps`. */
  async metricFindQuery(query: string, options?: LegacyMetricFindQueryOptions): Promise<MetricFindValue[]> {
    const what = getTemplateSrv()
      .replace(String(query ?? ''), options?.scopedVars)
      .trim();
    if (what === 'bannedIps') {
      const bans = await this.activeBans({ refId: 'variable', queryType: QueryType.ActiveBans, limit: MAX_LIMIT });
      return [...new Set(bans.map((b) => b.ip))].map((ip) => ({ text: ip, value: ip }));
    }
    if (what === 'types' || what === 'ips') {
      const stats = await get<SecurityStats>(this.proxyUrl, 'api/security/stats', windowOf(options?.range));
      const values = what === 'types' ? stats.byType.map((t) => t.type) : stats.topIps.map((t) => t.ip);
      return values.map((value) => ({ text: value, value }));
    }
    throw new Error(`Unknown variable query "${what}": use one of ${VARIABLE_QUERIES.join(', ')}`);
  }

  testDatasource(): Promise<TestDataSourceResponse> {
    return checkConnection(this.proxyUrl, this.backendUrl);
  }
}

function clampLimit(limit?: number): number {
  const n = Number.isFinite(limit) && limit !== undefined ? Math.floor(limit) : DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, n));
}

function windowOf(range?: TimeRange): { from?: string; to?: string } {
  return range ? { from: range.from.toISOString(), to: range.to.toISOString() } : {};
}
