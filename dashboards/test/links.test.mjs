// From every security panel an SRE can reach the app page that acts on it, and a row that names an IP links
// with that IP. Every link into the app must be a page the plugin declares.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveMetric } from '../lib/check.mjs';
import * as promql from '../lib/promql.mjs';
import { collectQueries, dataPanels, interpolate, loadAllowList, loadDashboards, ROOT } from '../lib/queries.mjs';

const allow = loadAllowList();
const dashboards = loadDashboards();
const queries = collectQueries(dashboards).filter((q) => q.panel);
const PLUGIN_JSON = join(ROOT, '..', 'plugin', 'src', 'plugin.json');
const APP = '/a/cartae-secops-app/';

/** The plugin pages (`bans`, `audit`) a panel's PromQL requires a link to, from metrics.json `pluginPage`. */
function requiredPages(panel, dashboard) {
  const pages = new Set();
  for (const query of queries.filter((q) => q.panel === panel)) {
    if (query.language !== 'promql') continue;
    for (const { metric } of promql.selectors(interpolate(query.expr, dashboard))) {
      const page = resolveMetric(metric, allow)?.pluginPage;
      if (page) pages.add(page);
    }
  }
  return pages;
}

const linksOf = (panel) => [
  ...(panel.links ?? []),
  ...(panel.fieldConfig?.defaults?.links ?? []),
  ...(panel.fieldConfig?.overrides ?? []).flatMap((o) =>
    o.properties.filter((p) => p.id === 'links').flatMap((p) => p.value)
  ),
];

describe('links to the app', () => {
  for (const { file, dashboard } of dashboards) {
    it(`${file}: every panel on security metrics links to the page that acts on them`, () => {
      for (const panel of dataPanels(dashboard)) {
        const urls = (panel.links ?? []).map((link) => link.url);
        for (const page of requiredPages(panel, dashboard)) {
          assert.ok(urls.includes(`${APP}${page}`), `${panel.title}: no link to ${APP}${page}`);
        }
      }
    });

    it(`${file}: a panel grouped by IP links each row or series with its IP`, () => {
      for (const panel of dataPanels(dashboard)) {
        if (!panel.targets.some((t) => /by \(([^)]*\b)?ip\b/.test(t.expr))) continue;
        const urls = (panel.fieldConfig?.defaults?.links ?? []).map((link) => link.url);
        // A table row names its IP in a field; a series carries it as a label.
        const ref = panel.type === 'table' ? '${__data.fields.ip}' : '${__field.labels.ip}';
        assert.ok(urls.includes(`${APP}bans?ip=${ref}`), `${panel.title}: no Bans link with ${ref}`);
      }
    });
  }

  it(
    'go only to pages the plugin declares in plugin.json',
    { skip: !existsSync(PLUGIN_JSON) && 'no plugin.json' },
    () => {
      const plugin = JSON.parse(readFileSync(PLUGIN_JSON, 'utf8'));
      const pages = new Set(
        plugin.includes.filter((i) => i.type === 'page').map((i) => i.path.replace('%PLUGIN_ID%', plugin.id))
      );
      let checked = 0;
      for (const { dashboard } of dashboards) {
        for (const link of [...dashboard.links, ...dataPanels(dashboard).flatMap(linksOf)]) {
          if (!link.url?.startsWith('/a/')) continue;
          assert.ok(pages.has(link.url.split('?')[0]), `${link.url} is not a page of ${plugin.id}`);
          checked += 1;
        }
      }
      assert.ok(checked > 20);
    }
  );
});
