/**
 * Turns the SDK's dashboard into the JSON Grafana provisions: `id: null` (Grafana assigns it), panel ids, query
 * refIds, each query's data source copied from the panel's, links reduced to what a data link has, and a stable
 * key order so the committed files diff well.
 */
import type {
  Dashboard,
  DashboardLink,
  DataSourceRef,
  Panel,
  RowPanel,
} from '@grafana/grafana-foundation-sdk/dashboard';

type Json = Record<string, unknown>;

/** A panel or dashboard link as Grafana stores it: the SDK's link type carries dashboard-link fields too. */
function dataLink(link: DashboardLink): Json {
  return { title: link.title, url: link.url, ...(link.targetBlank ? { targetBlank: true } : {}) };
}

function sameSource(a: DataSourceRef | undefined, b: DataSourceRef | undefined): boolean {
  return a?.type === b?.type && a?.uid === b?.uid;
}

function finalizePanel(panel: Panel, id: number): Json {
  const targets = (panel.targets ?? []).map((target) => ({
    query: target,
    datasource: 'datasource' in target ? (target.datasource as DataSourceRef | undefined) : undefined,
  }));
  const datasource = panel.datasource ?? targets[0]?.datasource;
  if (!datasource) throw new Error(`panel "${panel.title}" has no data source`);
  const refIds = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const { fieldConfig } = panel;
  const out: Json = {
    id,
    type: panel.type,
    title: panel.title,
    description: panel.description,
    datasource,
    gridPos: panel.gridPos,
    targets: targets.map((target, index) => {
      if (target.datasource && !sameSource(target.datasource, datasource)) {
        throw new Error(`panel "${panel.title}" mixes data sources: give it one`);
      }
      return { refId: refIds[index], ...target.query, datasource };
    }),
    fieldConfig: {
      defaults: {
        ...fieldConfig?.defaults,
        ...(fieldConfig?.defaults?.links ? { links: fieldConfig.defaults.links.map(dataLink) } : {}),
      },
      overrides: fieldConfig?.overrides ?? [],
    },
    options: panel.options,
  };
  if (panel.links?.length) out.links = panel.links.map(dataLink);
  if (panel.transformations?.length) out.transformations = panel.transformations;
  if (panel.interval) out.interval = panel.interval;
  if (panel.maxDataPoints) out.maxDataPoints = panel.maxDataPoints;
  return out;
}

function finalizeRow(row: RowPanel, id: number): Json {
  return { id, type: 'row', title: row.title, collapsed: row.collapsed, gridPos: row.gridPos, panels: [] };
}

/** Variables as Grafana stores them, without the interval-variable fields the SDK writes on every kind. */
function finalizeVariable(variable: Json): Json {
  const { auto: _auto, auto_min: _autoMin, auto_count: _autoCount, ...rest } = variable;
  return { ...rest, current: variable.current ?? {}, options: variable.options ?? [] };
}

export function finalize(dashboard: Dashboard): Json {
  let id = 0;
  const panels = (dashboard.panels ?? []).map((panel) => {
    id += 1;
    if (panel.type === 'row') return finalizeRow(panel as RowPanel, id);
    return finalizePanel(panel as Panel, id);
  });
  return {
    id: null,
    uid: dashboard.uid,
    title: dashboard.title,
    description: dashboard.description,
    tags: dashboard.tags,
    timezone: dashboard.timezone,
    editable: dashboard.editable,
    graphTooltip: dashboard.graphTooltip,
    fiscalYearStartMonth: 0,
    liveNow: false,
    time: dashboard.time,
    timepicker: {},
    refresh: dashboard.refresh,
    schemaVersion: dashboard.schemaVersion,
    // Grafana adds its built-in "Annotations & Alerts" query itself when the list lacks it.
    annotations: { list: [] },
    links: (dashboard.links ?? []).map((link) => {
      const { placement: _placement, ...rest } = link;
      return rest;
    }),
    templating: { list: (dashboard.templating?.list ?? []).map((v) => finalizeVariable(v as unknown as Json)) },
    panels,
  };
}
