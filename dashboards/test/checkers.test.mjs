// The checks themselves: each must reject the mistakes it exists for (many of them the seed's own), or the
// green suite on the real dashboards would prove nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLogql, checkPromql } from '../lib/check.mjs';
import { loadAllowList } from '../lib/queries.mjs';

const allow = loadAllowList();
const fails = (problems, pattern) =>
  assert.ok(
    problems.some((p) => pattern.test(p)),
    JSON.stringify(problems)
  );

describe('checkPromql', () => {
  it('accepts a sound query', () => {
    const expr =
      'histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{job="x"}[5m])))';
    assert.deepEqual(checkPromql(expr, allow, { legendFormat: '{{route}}' }), []);
  });

  it('rejects a syntax error', () => {
    fails(checkPromql('sum(rate(http_requests_total[5m])) /', allow), /syntax error/);
    fails(checkPromql('rate(http_requests_total[5m)', allow), /syntax error/);
  });

  it("rejects metrics no exporter produces (the seed's)", () => {
    fails(checkPromql('ssl_certificate_expiry_seconds < 604800', allow), /ssl_certificate_expiry_seconds is not/);
    fails(checkPromql('rate(http_admin_operations_total[1h])', allow), /http_admin_operations_total is not/);
    fails(checkPromql('owasp_top10_compliance_score', allow), /not in metrics.json/);
  });

  it('rejects labels the metric does not have, in matchers, groupings and legends', () => {
    fails(checkPromql('http_requests_total{path=~"/api/v1/admin/.*"}', allow), /has no label path/);
    fails(checkPromql('sum by (ip) (rate(http_auth_failed_total[1m]))', allow), /grouping by ip/);
    fails(checkPromql('rate(http_requests_rate_limited_total[5m])', allow, { legendFormat: '{{ path }}' }), /legend/);
  });

  it('rejects rate() of a gauge and a quantile without buckets', () => {
    fails(checkPromql('rate(soar_active_bans[5m])', allow), /rate\(\) of soar_active_bans, a gauge/);
    fails(checkPromql('histogram_quantile(0.9, rate(http_requests_total[5m]))', allow), /without a _bucket/);
  });
});

describe('checkLogql', () => {
  it('accepts a sound query', () => {
    const expr = 'sum by (ip) (count_over_time({service="backend"} |= "request completed" | json | status = 401 [1h]))';
    assert.deepEqual(checkLogql(expr, allow, { legendFormat: '{{ip}}' }), []);
  });

  it("rejects the seed's `| __timestamp__ > ago(1h)`", () => {
    fails(checkLogql('{service="backend"} |= "ERROR" | json | __timestamp__ > ago(1h)', allow), /syntax error/);
  });

  it('rejects unknown streams and fields', () => {
    fails(checkLogql('{job="cartae-api"} |= "ERROR"', allow), /stream label job/);
    fails(checkLogql('{service="api"} |= "ERROR"', allow), /stream service="api"/);
    fails(checkLogql('sum by (country) (count_over_time({service="backend"} | json [1h]))', allow), /country/);
  });
});
