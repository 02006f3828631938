// The committed dashboards and every query in them, with Grafana's variables replaced the way Grafana replaces
// them before sending a query. Used by this workspace's tests, and by anyone who runs the dashboards' queries
// against a real Prometheus: `import { listQueries } from '@cartae/secops-dashboards/queries'`.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveMetric } from './check.mjs';
import { selectors } from './promql.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const JSON_DIR = join(ROOT, 'json');

/** @returns {{ file: string, text: string, dashboard: any }[]} every json/*.json, parsed. */
export function loadDashboards() {
  return readdirSync(JSON_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(JSON_DIR, file), 'utf8');
      return { file, text, dashboard: JSON.parse(text) };
    });
}

export function loadAllowList() {
  return JSON.parse(readFileSync(join(ROOT, 'metrics.json'), 'utf8'));
}

/** Panels that show data (rows only group them). */
export const dataPanels = (dashboard) => dashboard.panels.filter((panel) => panel.type !== 'row');

/**
 * Values Grafana substitutes for its built-in variables: any valid duration parses, and these are what a
 * one-hour dashboard with a 15 s scrape interval would get.
 */
export const BUILT_IN = {
  __rate_interval: '1m',
  __interval: '15s',
  __interval_ms: '15000',
  __range: '1h',
  __range_s: '3600',
  __range_ms: '3600000',
  __auto: '1m',
};

/** Names of the variables `text` refers to, as `$name`, `${name}` or `${name:format}`. */
export function variablesIn(text) {
  return [...text.matchAll(/\$(?:\{(\w+)(?::\w+)?\}|(\w+))/g)].map((m) => m[1] ?? m[2]);
}

/**
 * Replaces built-in and dashboard variables in a query. A dashboard variable takes `values[name]`, else its
 * "All" value when it has one (used only in `=~` matchers), else a placeholder that is valid in a label value.
 */
export function interpolate(text, dashboard, values = {}) {
  const variables = new Map(dashboard.templating.list.map((v) => [v.name, v]));
  return text.replace(/\$(?:\{(\w+)(?::\w+)?\}|(\w+))/g, (whole, braced, bare) => {
    const name = braced ?? bare;
    if (name in values) return values[name];
    if (name in BUILT_IN) return BUILT_IN[name];
    const variable = variables.get(name);
    if (!variable) return whole;
    if (variable.includeAll && variable.allValue) return variable.allValue;
    return `sample-${name}`;
  });
}

/**
 * Every query of every panel, and every `label_values()` variable query, with its language.
 * @returns {{ file: string, dashboard: any, panel?: any, refId?: string, language: 'promql'|'logql',
 *   expr: string, legendFormat?: string, variable?: string }[]}
 */
export function collectQueries(dashboards = loadDashboards()) {
  const queries = [];
  for (const { file, dashboard } of dashboards) {
    for (const variable of dashboard.templating.list) {
      if (variable.type !== 'query') continue;
      const match = /^label_values\((.+),\s*(\w+)\)$/.exec(variable.query);
      if (!match) throw new Error(`${file}: variable ${variable.name} is not a label_values() query`);
      queries.push({ file, dashboard, variable: variable.name, language: 'promql', expr: match[1], label: match[2] });
    }
    for (const panel of dataPanels(dashboard)) {
      for (const target of panel.targets ?? []) {
        const language = target.datasource?.type === 'loki' ? 'logql' : 'promql';
        queries.push({
          file,
          dashboard,
          panel,
          refId: target.refId,
          language,
          expr: target.expr,
          legendFormat: target.legendFormat,
        });
      }
    }
  }
  return queries;
}

/**
 * The PromQL of every panel, ready to send to Prometheus: `values` sets dashboard variables (e.g. `{ job:
 * 'cartae-secops' }`); the rest take their "All" value or a placeholder. Each entry says which dashboard and
 * panel it comes from and which metrics it reads, so a caller can expect series only where they are exported.
 */
export function listQueries(values = {}) {
  const allow = loadAllowList();
  return collectQueries()
    .filter((query) => query.language === 'promql' && query.panel)
    .map(({ file, dashboard, panel, refId, expr }) => {
      const interpolated = interpolate(expr, dashboard, values);
      const metrics = [...new Set(selectors(interpolated).map((s) => s.metric))];
      return {
        dashboard: dashboard.uid,
        file,
        panel: panel.title,
        refId,
        expr: interpolated,
        instant: panel.targets.find((t) => t.refId === refId)?.instant === true,
        metrics,
        // Where each metric comes from (metrics.json `source`): backend, prom-client, node-exporter, cadvisor…
        sources: [...new Set(metrics.map((metric) => resolveMetric(metric, allow)?.source ?? 'unknown'))],
      };
    });
}
