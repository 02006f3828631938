/**
 * Security Overview (seed 000, dashboard 1): attacks as the API sees them, who makes them, and where to act.
 * Fixed from the seed: rate-limit series are labelled `route` (never `path`); failed authentications are drawn
 * per minute (rate × 60, unit cpm) against the BruteForceAttack threshold of 10/min; "Admin operations" and the
 * 401/403/429 top-IP tables come from the request log (only `http_requests_blocked_total` carries an IP); the attack-type
 * pie reads `security_events_total{type}` (no `http_requests_suspicious_total` exists); the OWASP compliance gauge
 * is left out (no `owasp_top10_compliance_score` exists) and a refused-requests gauge stands in its place.
 */
import { type Dashboard, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  backend,
  cartaeDashboard,
  instanceVariable,
  ipLinks,
  jobVariable,
  lokiVariable,
  pageLink,
  prometheusVariable,
  REQUEST_LOG,
} from '../common';
import {
  gaugePanel,
  logsPanel,
  lokiQuery,
  pieChart,
  promQuery,
  stackedTimeSeries,
  statPanel,
  tablePanel,
  thresholds,
  timeSeries,
  withThresholdLine,
} from '../panels';
import { auditIntegrityStat, countStat, severityColors, topIpsTable } from './shared';

const REFUSED = 'status=~"401|403|429"';

export function securityOverview(): Dashboard {
  return cartaeDashboard({
    uid: 'cartae-security-overview',
    title: 'Cartae / Security Overview',
    description:
      'Attacks on the secops API: failed authentications, rate-limit violations, refused requests, the IPs behind them, and where to ban them.',
    tags: ['security'],
    from: 'now-24h',
    refresh: '1m',
  })
    .withVariable(prometheusVariable())
    .withVariable(lokiVariable())
    .withVariable(jobVariable())
    .withVariable(instanceVariable())

    .withRow(new RowBuilder('At a glance'))
    .withPanel(
      countStat(
        'Active bans',
        'IPs the auto-blocker holds banned right now (one value for all replicas).',
        `max(${backend('soar_active_bans')})`,
        'active bans',
        'bans'
      )
    )
    .withPanel(
      countStat(
        'IPs blocked (24 h)',
        'Distinct IPs blocked over the last 24 hours, whatever the time picker says.',
        `max(${backend('security_events_blocked_ips_24h')})`,
        'blocked IPs',
        'bans'
      )
    )
    .withPanel(
      statPanel(
        'Failed authentications',
        'Requests refused for a missing or bad token over the selected range, all replicas.',
        'short'
      )
        .withTarget(promQuery(`sum(increase(${backend('http_auth_failed_total')}[$__range]))`, { instant: true }))
        .graphMode(common.BigValueGraphMode.None)
        .thresholds(thresholds('green', [1, 'orange']))
        .links([pageLink('bans')])
    )
    .withPanel(
      statPanel('Rate-limited requests', 'Requests answered 429 by the rate limiter over the selected range.', 'short')
        .withTarget(
          promQuery(`sum(increase(${backend('http_requests_rate_limited_total')}[$__range])) or vector(0)`, {
            instant: true,
          })
        )
        .graphMode(common.BigValueGraphMode.None)
        .thresholds(thresholds('green', [1, 'orange']))
        .links([pageLink('bans')])
    )
    .withPanel(
      statPanel('Blocked requests', 'Ingested requests from banned IPs over the selected range.', 'short')
        .withTarget(
          promQuery(`sum(increase(${backend('http_requests_blocked_total')}[$__range])) or vector(0)`, {
            instant: true,
          })
        )
        .graphMode(common.BigValueGraphMode.None)
        .thresholds(thresholds('text'))
        .links([pageLink('bans')])
    )
    .withPanel(auditIntegrityStat())

    .withRow(new RowBuilder('Attacks over time'))
    .withPanel(
      withThresholdLine(
        timeSeries(
          'Failed authentications per minute',
          'Failed authentications per minute (per-second rate × 60), all replicas. The dashed line is the BruteForceAttack alert threshold: more than 10 per minute for 2 minutes.',
          'cpm'
        )
      )
        .withTarget(
          promQuery(`sum(rate(${backend('http_auth_failed_total')}[$__rate_interval])) * 60`, {
            legend: 'failed / min',
          })
        )
        .thresholds(thresholds('green', [10, 'red']))
        .links([pageLink('bans')])
    )
    .withPanel(
      timeSeries(
        'Rate-limit violations',
        'Requests per second refused with 429 by the rate limiter, by method and route pattern.',
        'reqps'
      )
        .withTarget(
          promQuery(`sum by (method, route) (rate(${backend('http_requests_rate_limited_total')}[$__rate_interval]))`, {
            legend: '{{method}} {{route}}',
          })
        )
        .links([pageLink('bans')])
    )
    .withPanel(
      stackedTimeSeries(
        'Refused requests by status',
        'Requests per second answered 401 (no or bad token), 403 (role not allowed) or 429 (rate-limited).',
        'reqps'
      )
        .withTarget(
          promQuery(`sum by (status) (rate(${backend('http_requests_total', REFUSED)}[$__rate_interval]))`, {
            legend: '{{status}}',
          })
        )
        .links([pageLink('bans')])
    )
    .withPanel(
      timeSeries(
        'Admin operations per minute',
        'Changes made with the admin token (every method but GET), per minute, by route: from the request log. Each one is in the audit trail.',
        'cpm'
      )
        .withTarget(
          lokiQuery(`sum by (method, route) (rate(${REQUEST_LOG} | role="admin" | method!="GET" [$__auto])) * 60`, {
            legend: '{{method}} {{route}}',
          })
        )
        .links([pageLink('audit')])
    )

    .withRow(new RowBuilder('Who is attacking'))
    .withPanel(
      tablePanel(
        'Top 10 blocked IPs',
        'Banned IPs whose requests kept arriving, by blocked requests over the selected range (the backend labels its first 100 addresses; the rest, "other", are left out). A row links to Bans and to its audit trail.'
      )
        .withTarget(
          promQuery(
            `topk(10, sum by (ip) (increase(${backend('http_requests_blocked_total', 'ip!="other"')}[$__range])) > 0)`,
            { instant: true, format: 'table' }
          )
        )
        .withTransformation({ id: 'sortBy', options: { sort: [{ field: 'Value', desc: true }] } })
        .withTransformation({
          id: 'organize',
          options: {
            excludeByName: { Time: true },
            indexByName: { ip: 0, Value: 1 },
            renameByName: { Value: 'Blocked requests' },
          },
        })
        .unit('short')
        .decimals(0)
        .thresholds(thresholds('text'))
        .dataLinks(ipLinks('${__data.fields.ip}'))
        .links([pageLink('bans')])
        .span(6)
    )
    .withPanel(
      topIpsTable(
        'Top 10 IPs failing authentication',
        'IPs with the most 401 answers over the selected range. A row links to Bans and to its audit trail.',
        'status = 401',
        'Failed (401)'
      )
    )
    .withPanel(
      topIpsTable(
        'Top 10 rate-limited IPs',
        'IPs with the most 429 answers over the selected range. A row links to Bans and to its audit trail.',
        'status = 429',
        'Rate-limited (429)'
      )
    )
    .withPanel(
      topIpsTable(
        'Top 10 IPs refused with 403',
        'IPs with the most 403 answers (a token whose role may not call the route, or a blocked client) over the selected range.',
        'status = 403',
        'Refused (403)'
      )
    )

    .withRow(new RowBuilder('What kind of attacks'))
    .withPanel(
      pieChart(
        'Security events by type',
        'Ingested security events above severity info, by type, over the selected range.',
        'short'
      )
        .withTarget(
          promQuery(`sum by (type) (increase(${backend('security_events_total', 'severity!="info"')}[$__range]))`, {
            legend: '{{type}}',
            instant: true,
          })
        )
        .links([pageLink('bans')])
    )
    .withPanel(
      pieChart('Security events by severity', 'Ingested security events by severity, over the selected range.', 'short')
        .withTarget(
          promQuery(`sum by (severity) (increase(${backend('security_events_total')}[$__range]))`, {
            legend: '{{severity}}',
            instant: true,
          })
        )
        .overrides(severityColors())
        .links([pageLink('bans')])
    )
    .withPanel(
      gaugePanel(
        'Requests refused (last 5 min)',
        'Share of requests answered 401, 403 or 429 over the last 5 minutes. A sudden rise is an attack or a broken client.',
        'percentunit',
        0,
        1
      )
        .withTarget(
          promQuery(
            `(sum(rate(${backend('http_requests_total', REFUSED)}[5m])) or vector(0)) / sum(rate(${backend('http_requests_total')}[5m]))`,
            { instant: true, legend: 'refused' }
          )
        )
        .thresholds(thresholds('green', [0.05, 'orange'], [0.2, 'red']))
        .links([pageLink('bans')])
        .span(8)
    )

    .withRow(new RowBuilder('Admin operations (request log)'))
    .withPanel(
      logsPanel(
        'Admin operations',
        'Request-log lines of changes made with the admin token. The audit trail has who did each one and why.'
      )
        .withTarget(lokiQuery(`${REQUEST_LOG} | role="admin" | method!="GET"`))
        .links([pageLink('audit')])
    )
    .withPanel(
      logsPanel(
        'Refused requests',
        'Request-log lines answered 401, 403 or 429: the raw evidence behind the tables above.'
      )
        .withTarget(lokiQuery(`${REQUEST_LOG} | status=~"401|403|429"`))
        .links([pageLink('bans')])
    )
    .build();
}
