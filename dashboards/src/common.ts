/**
 * What every Cartae dashboard shares: data sources reached only through template variables, the backend's job and
 * instance variables, links to the app plugin's pages, and the one place that names the backend's log stream.
 */
import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
  type DataSourceRef,
  type Panel,
} from '@grafana/grafana-foundation-sdk/dashboard';

/** The app plugin (plugin/src/plugin.json) and the pages where an SRE acts on what a panel shows. */
export const PLUGIN_ID = 'cartae-secops-app';
export const PluginPage = {
  /** Active bans, history, ban/unban, whitelist, Fail2ban jails. */
  bans: `/a/${PLUGIN_ID}/bans`,
  /** The audit trail, its filters, proofs and "Verify chain". */
  audit: `/a/${PLUGIN_ID}/audit`,
} as const;
export type PluginPage = keyof typeof PluginPage;

/** Data sources are picked by these variables, never by uid, so the dashboards work in any Grafana. */
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: '${prometheus}' };
export const LOKI: DataSourceRef = { type: 'loki', uid: '${loki}' };

export const prometheusVariable = () =>
  new DatasourceVariableBuilder('prometheus').label('Prometheus').type('prometheus').regex('');
export const lokiVariable = () => new DatasourceVariableBuilder('loki').label('Loki').type('loki').regex('');

/**
 * The secops backend's scrape job, found by a metric only it exports: `http_requests_total` is a common name that
 * other applications in a shared Prometheus export too, so every backend selector is narrowed to this job.
 */
export const jobVariable = () =>
  new QueryVariableBuilder('job')
    .label('Job')
    .datasource(PROMETHEUS)
    .query('label_values(audit_log_entries_total, job)')
    .definition('label_values(audit_log_entries_total, job)')
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);

/** Backend replicas; "All" sums or takes the maximum over them, as each panel says. */
export const instanceVariable = () =>
  new QueryVariableBuilder('instance')
    .label('Instance')
    .datasource(PROMETHEUS)
    .query('label_values(audit_log_entries_total{job="$job"}, instance)')
    .definition('label_values(audit_log_entries_total{job="$job"}, instance)')
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.+');

/** A backend metric narrowed to the selected job and instances, plus any matchers of the panel's own. */
export function backend(metric: string, matchers = ''): string {
  return `${metric}{job="$job", instance=~"$instance"${matchers ? `, ${matchers}` : ''}}`;
}

/**
 * The backend's request log: one JSON line per answered request (backend/src/plugins/request-log.ts) with ip,
 * method, path, route, status, responseTime (ms), user and role. Alloy labels the backend container's stream
 * `service="backend"` (provisioning/alloy); this is the only place that names it.
 */
export const BACKEND_LOGS = '{service="backend"}';
export const REQUEST_LOG = `${BACKEND_LOGS} |= "request completed" | json`;

/** A link in a panel's header to the plugin page that acts on what the panel shows. */
export function pageLink(page: PluginPage): DashboardLinkBuilder {
  const title =
    page === 'bans' ? 'Bans: ban, unban, whitelist (Cartae Security Ops)' : 'Audit log (Cartae Security Ops)';
  return new DashboardLinkBuilder(title).type(DashboardLinkType.Link).url(PluginPage[page]);
}

/**
 * Data links for a value that names an IP: act on it in Bans, read what it did in the audit log. `ipRef` is how
 * Grafana finds the IP: `${__data.fields.ip}` in a table row, `${__field.labels.ip}` on a series labelled by IP.
 */
export function ipLinks(ipRef: '${__data.fields.ip}' | '${__field.labels.ip}'): DashboardLinkBuilder[] {
  return [
    new DashboardLinkBuilder(`Ban or unban ${ipRef}`)
      .type(DashboardLinkType.Link)
      .url(`${PluginPage.bans}?ip=${ipRef}`),
    new DashboardLinkBuilder(`Audit trail of ${ipRef}`)
      .type(DashboardLinkType.Link)
      .url(`${PluginPage.audit}?ip=${ipRef}`),
  ];
}

/** Links between the four dashboards (by tag) and to the app, at the top of each dashboard. */
export function dashboardLinks(): DashboardLinkBuilder[] {
  return [
    new DashboardLinkBuilder('Cartae dashboards')
      .type(DashboardLinkType.Dashboards)
      .tags(['cartae'])
      .asDropdown(true)
      .includeVars(false)
      .keepTime(true),
    new DashboardLinkBuilder('Bans').type(DashboardLinkType.Link).url(PluginPage.bans).icon('external link'),
    new DashboardLinkBuilder('Audit log').type(DashboardLinkType.Link).url(PluginPage.audit).icon('external link'),
  ];
}

interface DashboardSettings {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  /** Default time range, e.g. `now-24h`. */
  from: string;
  refresh: string;
}

/** A Cartae dashboard: tagged `cartae` (the dashboards link to each other by that tag), shared crosshair. */
export function cartaeDashboard(settings: DashboardSettings): DashboardBuilder {
  return new DashboardBuilder(settings.title)
    .uid(settings.uid)
    .description(settings.description)
    .tags(['cartae', ...settings.tags])
    .timezone('browser')
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: settings.from, to: 'now' })
    .refresh(settings.refresh)
    .links(dashboardLinks());
}

/** A row and its panels, laid out left to right by the SDK. */
export function addRow(dashboard: DashboardBuilder, title: string, panels: Builder<Panel>[]): DashboardBuilder {
  dashboard.withRow(new RowBuilder(title));
  for (const panel of panels) dashboard.withPanel(panel);
  return dashboard;
}
