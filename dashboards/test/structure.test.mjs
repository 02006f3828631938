// What Grafana needs to provision the committed dashboards, and what keeps them portable: required fields,
// stable unique uids, `id: null`, data sources only through variables, known units, a layout that fits.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { dataPanels, loadDashboards } from '../lib/queries.mjs';

const require = createRequire(import.meta.url);
const units = require('@grafana/grafana-foundation-sdk/units');
const GRAFANA_UNITS = new Set(Object.values(units).filter((value) => typeof value === 'string'));

const dashboards = loadDashboards();
const EXPECTED = {
  'cartae-security-overview': 'security-overview.json',
  'cartae-api-performance': 'api-performance.json',
  'cartae-infrastructure-health': 'infrastructure-health.json',
  'cartae-security-ops': 'security-ops.json',
};
/** Grafana 12.x writes schemaVersion 41 (12.0) to 42 (12.1 and later). */
const GRAFANA_12_SCHEMA = [41, 42];

describe('dashboard files', () => {
  it('are the four dashboards, each with its stable uid and its own file', () => {
    const byUid = Object.fromEntries(dashboards.map(({ file, dashboard }) => [dashboard.uid, file]));
    assert.deepEqual(byUid, EXPECTED);
  });

  it('have unique titles', () => {
    const titles = dashboards.map(({ dashboard }) => dashboard.title);
    assert.equal(new Set(titles).size, titles.length);
  });
});

for (const { file, dashboard } of dashboards) {
  describe(file, () => {
    it('has the fields Grafana 12 provisions, and id null so Grafana assigns one', () => {
      assert.equal(dashboard.id, null);
      assert.match(dashboard.uid, /^cartae-[a-z-]+$/);
      assert.ok(dashboard.uid.length <= 40, 'Grafana uids are at most 40 characters');
      assert.ok(GRAFANA_12_SCHEMA.includes(dashboard.schemaVersion), `schemaVersion ${dashboard.schemaVersion}`);
      assert.ok(dashboard.title && dashboard.description);
      assert.ok(dashboard.tags.includes('cartae'), 'tagged cartae (the dashboards link to each other by tag)');
      assert.match(dashboard.time.from, /^now-\d+[mhd]$/);
      assert.equal(dashboard.time.to, 'now');
      assert.match(dashboard.refresh, /^\d+[smh]$/);
      assert.ok(Array.isArray(dashboard.panels) && dashboard.panels.length > 0);
      assert.ok(Array.isArray(dashboard.templating.list));
      assert.ok(Array.isArray(dashboard.annotations.list));
    });

    it('gives every panel a unique id, a title and a description', () => {
      const ids = dashboard.panels.map((panel) => panel.id);
      assert.equal(new Set(ids).size, ids.length);
      for (const panel of dashboard.panels) {
        assert.ok(Number.isInteger(panel.id) && panel.id > 0, `${panel.title}: id`);
        assert.ok(panel.title, `panel ${panel.id}: title`);
        if (panel.type !== 'row') assert.ok(panel.description, `${panel.title}: description`);
      }
    });

    it('lays panels on the 24-column grid without overlaps', () => {
      const taken = new Set();
      for (const { title, gridPos } of dashboard.panels) {
        const { x, y, w, h } = gridPos;
        assert.ok(x >= 0 && w > 0 && x + w <= 24 && y >= 0 && h > 0, `${title}: ${JSON.stringify(gridPos)}`);
        for (let row = y; row < y + h; row += 1) {
          for (let col = x; col < x + w; col += 1) {
            const cell = `${col},${row}`;
            assert.ok(!taken.has(cell), `${title} overlaps another panel at ${cell}`);
            taken.add(cell);
          }
        }
      }
    });

    it('reaches data sources only through datasource variables of the right type', () => {
      const sources = new Map(
        dashboard.templating.list.filter((v) => v.type === 'datasource').map((v) => [v.name, v.query])
      );
      const viaVariable = (ref, where) => {
        const match = /^\$\{(\w+)\}$/.exec(ref?.uid ?? '');
        assert.ok(match, `${where}: data source ${JSON.stringify(ref)} is not a \${variable}`);
        assert.equal(sources.get(match[1]), ref.type, `${where}: \${${match[1]}} is not a ${ref.type} variable`);
      };
      for (const panel of dataPanels(dashboard)) {
        viaVariable(panel.datasource, panel.title);
        assert.ok(panel.targets.length > 0, `${panel.title}: no query`);
        for (const target of panel.targets) {
          viaVariable(target.datasource, `${panel.title} ${target.refId}`);
          assert.deepEqual(target.datasource, panel.datasource, `${panel.title} ${target.refId}: one data source`);
        }
      }
      for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
        viaVariable(variable.datasource, `variable ${variable.name}`);
      }
    });

    it('hard-codes no data source uid anywhere', () => {
      const uids = [];
      JSON.stringify(dashboard, (key, value) => {
        if (key === 'uid' && value !== dashboard.uid) uids.push(value);
        return value;
      });
      for (const uid of uids) assert.match(uid, /^\$\{\w+\}$/);
    });

    it('gives every query a unique refId', () => {
      for (const panel of dataPanels(dashboard)) {
        const refIds = panel.targets.map((t) => t.refId);
        assert.ok(refIds.every(Boolean), `${panel.title}: refId`);
        assert.equal(new Set(refIds).size, refIds.length, `${panel.title}: duplicate refId`);
      }
    });

    it('uses only units Grafana knows', () => {
      for (const panel of dataPanels(dashboard)) {
        const used = [panel.fieldConfig?.defaults?.unit];
        for (const override of panel.fieldConfig?.overrides ?? []) {
          for (const property of override.properties) if (property.id === 'unit') used.push(property.value);
        }
        for (const unit of used.filter(Boolean)) {
          assert.ok(GRAFANA_UNITS.has(unit), `${panel.title}: unknown unit ${unit}`);
        }
      }
    });

    it('orders every threshold from the base colour up', () => {
      for (const panel of dataPanels(dashboard)) {
        const steps = panel.fieldConfig?.defaults?.thresholds?.steps;
        if (!steps) continue;
        assert.equal(steps[0].value, null, `${panel.title}: the first step is the base (null)`);
        const values = steps.slice(1).map((s) => s.value);
        assert.deepEqual(
          values,
          [...values].sort((a, b) => a - b),
          `${panel.title}: steps in increasing order`
        );
      }
    });
  });
}

describe('panel types', () => {
  it('cover what the seeds ask for: time series, table, pie chart, gauge and stat', () => {
    const types = new Set(dashboards.flatMap(({ dashboard }) => dataPanels(dashboard).map((p) => p.type)));
    for (const type of ['timeseries', 'table', 'piechart', 'gauge', 'stat']) assert.ok(types.has(type), type);
  });
});
