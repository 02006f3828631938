// Every query of every panel and variable: it parses (Prometheus's and Grafana's own Lezer grammars), it reads
// only metrics, labels and log fields that metrics.json lists, and rates are per second unless the unit says
// per minute and the query multiplies by 60.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLogql, checkPromql } from '../lib/check.mjs';
import { BUILT_IN, collectQueries, interpolate, listQueries, loadAllowList, variablesIn } from '../lib/queries.mjs';

const allow = loadAllowList();
const queries = collectQueries();
const PER_MINUTE_UNITS = ['cpm', 'epm', 'opm', 'reqpm', 'rpm', 'wpm', 'mpm', 'recpm', 'rowspm'];

const where = (q) => `${q.file} › ${q.panel ? `${q.panel.title} (${q.refId})` : `variable ${q.variable}`}`;

describe('queries', () => {
  it('are found: PromQL and LogQL, in panels and variables', () => {
    assert.ok(queries.filter((q) => q.language === 'promql' && q.panel).length >= 60);
    assert.ok(queries.filter((q) => q.language === 'logql').length >= 8);
    assert.ok(queries.some((q) => q.variable));
  });

  for (const query of queries) {
    it(`${where(query)} is valid ${query.language === 'promql' ? 'PromQL' : 'LogQL'} on allowed metrics`, () => {
      const expr = interpolate(query.expr, query.dashboard);
      const check = query.language === 'promql' ? checkPromql : checkLogql;
      assert.deepEqual(check(expr, allow, { legendFormat: query.legendFormat }), [], expr);
    });
  }

  it('refer only to variables the dashboard defines or Grafana provides', () => {
    for (const query of queries) {
      const defined = new Set(query.dashboard.templating.list.map((v) => v.name));
      for (const name of variablesIn(query.expr)) {
        assert.ok(defined.has(name) || name in BUILT_IN, `${where(query)}: $${name} is not defined`);
      }
    }
  });

  it('use a multi-value variable only inside a regex matcher', () => {
    for (const query of queries) {
      const multi = query.dashboard.templating.list.filter((v) => v.multi).map((v) => v.name);
      for (const name of multi) {
        for (const use of query.expr.matchAll(new RegExp(`(\\w+)\\s*(=~|!~|=|!=)\\s*"[^"]*\\$\\{?${name}\\b`, 'g'))) {
          assert.match(use[2], /~/, `${where(query)}: ${use[0]} needs =~ for a multi-value variable`);
        }
      }
    }
  });

  it('draw rates per second, or per minute only when the unit says so and the query multiplies by 60', () => {
    for (const query of queries.filter((q) => q.panel)) {
      const unit = query.panel.fieldConfig?.defaults?.unit;
      const timesSixty = /\*\s*60\s*$/.test(query.expr);
      if (PER_MINUTE_UNITS.includes(unit)) assert.ok(timesSixty, `${where(query)}: unit ${unit} but no × 60`);
      if (timesSixty) assert.ok(PER_MINUTE_UNITS.includes(unit), `${where(query)}: × 60 but unit ${unit}`);
    }
  });

  it('never use what the seed got wrong', () => {
    for (const query of queries) {
      assert.doesNotMatch(query.expr, /__timestamp__|ago\(/, `${where(query)}: not LogQL`);
      assert.doesNotMatch(query.expr, /ssl_certificate_expiry_seconds/, `${where(query)}: no exporter has it`);
      assert.doesNotMatch(query.expr, /container_memory_usage_bytes/, `${where(query)}: use the working set`);
    }
  });
});

describe('listQueries() for a real Prometheus', () => {
  it('gives every panel PromQL with the job filled in and no variable left', () => {
    const list = listQueries({ job: 'cartae-secops' });
    assert.equal(list.length, queries.filter((q) => q.language === 'promql' && q.panel).length);
    for (const { expr } of list) assert.doesNotMatch(expr, /\$/, expr);
    assert.ok(list.some(({ expr }) => expr.includes('job="cartae-secops"')));
  });

  it("says where each query's metrics come from, so a caller knows which need an exporter", () => {
    const list = listQueries({ job: 'cartae-secops' });
    for (const { panel, sources } of list) assert.ok(sources.length > 0 && !sources.includes('unknown'), panel);
    const backendOnly = list.filter(({ sources }) => sources.every((s) => ['backend', 'prom-client'].includes(s)));
    assert.ok(backendOnly.length >= 40);
    assert.ok(list.some(({ sources }) => sources.includes('cadvisor')));
  });
});
