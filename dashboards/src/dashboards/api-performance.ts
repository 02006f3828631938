/**
 * API Performance (seed 000, dashboard 2): the golden signals of the secops API, then its process.
 * Fixed from the seed: quantiles are taken over `sum by (le)` of the buckets (the seed's per-series quantiles
 * mean nothing across routes); the error rate is a ratio of sums (unit percentunit, not ×100 per series); the
 * cache hit-rate panel is left out (the backend has no cache metrics); the seed's `| __timestamp__ > ago(1h)`
 * LogQL becomes the dashboard's time range.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import { type Dashboard, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  backend,
  BACKEND_LOGS,
  cartaeDashboard,
  instanceVariable,
  jobVariable,
  lokiVariable,
  pageLink,
  prometheusVariable,
  REQUEST_LOG,
} from '../common';
import {
  histogramHeatmap,
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

const BUCKETS = 'http_request_duration_seconds_bucket';

/** The q-quantile of request latency over `window`, grouped by `by` (always with `le`). */
function latency(q: number, window: string, by: string[] = []): string {
  return `histogram_quantile(${q}, sum by (${['le', ...by].join(', ')}) (rate(${backend(BUCKETS)}[${window}])))`;
}

/** Share of requests answered 5xx over `window`; 0 (not "no data") while there are none. */
function errorRatio(window: string): string {
  return `(sum(rate(${backend('http_requests_total', 'status=~"5.."')}[${window}])) or vector(0)) / sum(rate(${backend('http_requests_total')}[${window}]))`;
}

export function apiPerformance(): Dashboard {
  return cartaeDashboard({
    uid: 'cartae-api-performance',
    title: 'Cartae / API Performance',
    description:
      'The secops API: traffic, errors and latency by route (the golden signals), then the Node.js process that serves it.',
    tags: ['api', 'performance'],
    from: 'now-1h',
    refresh: '30s',
  })
    .withVariable(prometheusVariable())
    .withVariable(lokiVariable())
    .withVariable(jobVariable())
    .withVariable(instanceVariable())

    .withRow(new RowBuilder('Golden signals'))
    .withPanel(
      statPanel('Requests per second', 'Requests answered per second, all routes and replicas.', 'reqps').withTarget(
        promQuery(`sum(rate(${backend('http_requests_total')}[$__rate_interval]))`, { legend: 'requests/s' })
      )
    )
    .withPanel(
      statPanel(
        '5xx error ratio',
        'Share of requests answered 5xx over the last 5 minutes. HighErrorRate fires above 1% for 5 minutes.',
        'percentunit'
      )
        .withTarget(promQuery(errorRatio('5m'), { legend: '5xx' }))
        .thresholds(thresholds('green', [0.005, 'orange'], [0.01, 'red']))
    )
    .withPanel(
      statPanel('p95 latency', '95% of requests were answered faster than this over the last 5 minutes.', 's')
        .withTarget(promQuery(latency(0.95, '5m'), { legend: 'p95' }))
        .thresholds(thresholds('green', [0.5, 'orange'], [2, 'red']))
    )
    .withPanel(
      statPanel(
        'p99 latency',
        '99% of requests were answered faster than this over the last 5 minutes. SlowResponseTime fires above 2 s for 10 minutes.',
        's'
      )
        .withTarget(promQuery(latency(0.99, '5m'), { legend: 'p99' }))
        .thresholds(thresholds('green', [1, 'orange'], [2, 'red']))
    )
    .withPanel(
      statPanel('Rate-limited per second', 'Requests refused with 429 per second, all routes.', 'reqps')
        .withTarget(
          promQuery(`sum(rate(${backend('http_requests_rate_limited_total')}[$__rate_interval])) or vector(0)`, {
            legend: '429/s',
          })
        )
        .thresholds(thresholds('green', [0.01, 'orange']))
        .links([pageLink('bans')])
    )
    .withPanel(
      statPanel(
        'Uptime (youngest replica)',
        'Time since the most recent backend (re)start. A short uptime that keeps resetting is a crash loop.',
        'dtdurations'
      )
        .withTarget(promQuery(`time() - max(${backend('process_start_time_seconds')})`, { legend: 'uptime' }))
        .thresholds(thresholds('orange', [600, 'green']))
        .graphMode(common.BigValueGraphMode.None)
    )

    .withRow(new RowBuilder('Traffic and errors'))
    .withPanel(
      timeSeries(
        'Requests per second by route',
        'Requests per second by method and route pattern.',
        'reqps'
      ).withTarget(
        promQuery(`sum by (method, route) (rate(${backend('http_requests_total')}[$__rate_interval]))`, {
          legend: '{{method}} {{route}}',
        })
      )
    )
    .withPanel(
      stackedTimeSeries('Responses by status', 'Responses per second by status code, stacked.', 'reqps').withTarget(
        promQuery(`sum by (status) (rate(${backend('http_requests_total')}[$__rate_interval]))`, {
          legend: '{{status}}',
        })
      )
    )
    .withPanel(
      withThresholdLine(
        timeSeries(
          '5xx error ratio',
          'Share of requests answered 5xx. The dashed line is the HighErrorRate threshold (1%).',
          'percentunit'
        )
      )
        .withTarget(promQuery(errorRatio('$__rate_interval'), { legend: '5xx share' }))
        .thresholds(thresholds('green', [0.01, 'red']))
        .max(1)
    )
    .withPanel(
      pieChart('Status codes', 'Responses by status code over the selected range.', 'short')
        .withTarget(
          promQuery(`sum by (status) (increase(${backend('http_requests_total')}[$__range]))`, {
            legend: '{{status}}',
            instant: true,
          })
        )
        .span(6)
    )
    .withPanel(
      tablePanel('Routes answering 5xx', 'Routes with the most 5xx answers over the selected range.')
        .withTarget(
          promQuery(
            `topk(10, sum by (method, route, status) (increase(${backend('http_requests_total', 'status=~"5.."')}[$__range])))`,
            { instant: true, format: 'table' }
          )
        )
        .withTransformation({
          id: 'organize',
          options: { excludeByName: { Time: true }, renameByName: { Value: '5xx answers' } },
        })
        .unit('short')
        .decimals(0)
        .span(6)
    )

    .withRow(new RowBuilder('Latency'))
    .withPanel(
      withThresholdLine(
        timeSeries(
          'Latency percentiles',
          'p50, p95 and p99 request latency, all routes. The dashed line is the SlowResponseTime threshold (p99 above 2 s).',
          's'
        )
      )
        .withTarget(promQuery(latency(0.5, '$__rate_interval'), { legend: 'p50' }))
        .withTarget(promQuery(latency(0.95, '$__rate_interval'), { legend: 'p95' }))
        .withTarget(promQuery(latency(0.99, '$__rate_interval'), { legend: 'p99' }))
        .thresholds(thresholds('green', [2, 'red']))
    )
    .withPanel(
      histogramHeatmap(
        'Latency distribution',
        'How many requests fell in each latency bucket over time: a second band appearing is a slow dependency.',
        's'
      ).withTarget(
        promQuery(`sum by (le) (increase(${backend(BUCKETS)}[$__rate_interval]))`, {
          legend: '{{le}}',
          format: 'heatmap',
        })
      )
    )
    .withPanel(
      timeSeries('p95 latency by route', 'p95 latency of each route pattern.', 's').withTarget(
        promQuery(latency(0.95, '$__rate_interval', ['method', 'route']), { legend: '{{method}} {{route}}' })
      )
    )
    .withPanel(
      tablePanel('Slowest routes', 'The ten routes with the highest p95 latency over the selected range.')
        .withTarget(
          promQuery(`topk(10, ${latency(0.95, '$__range', ['method', 'route'])})`, { instant: true, format: 'table' })
        )
        .withTransformation({
          id: 'organize',
          options: { excludeByName: { Time: true }, renameByName: { Value: 'p95' } },
        })
        .withTransformation({ id: 'sortBy', options: { sort: [{ field: 'p95', desc: true }] } })
        .unit('s')
        .thresholds(thresholds('green', [0.5, 'orange'], [2, 'red']))
        .span(12)
    )

    .withRow(new RowBuilder('Backend process'))
    .withPanel(
      timeSeries(
        'CPU',
        'CPU time used per second by each backend process: 100% is one core (Node.js runs JavaScript on one).',
        'percentunit'
      )
        .withTarget(
          promQuery(`sum by (instance) (rate(${backend('process_cpu_seconds_total')}[$__rate_interval]))`, {
            legend: '{{instance}}',
          })
        )
        .span(8)
    )
    .withPanel(
      timeSeries(
        'Memory',
        'Resident memory and V8 heap used by each backend process. RSS that only grows is a leak.',
        'bytes'
      )
        .withTarget(promQuery(backend('process_resident_memory_bytes'), { legend: '{{instance}} RSS' }))
        .withTarget(promQuery(backend('nodejs_heap_size_used_bytes'), { legend: '{{instance}} heap used' }))
        .span(8)
    )
    .withPanel(
      withThresholdLine(
        timeSeries(
          'Event loop lag (p99)',
          'How late the event loop runs callbacks: every request waits at least this long. Above 100 ms the API feels slow.',
          's'
        )
      )
        .withTarget(promQuery(backend('nodejs_eventloop_lag_p99_seconds'), { legend: '{{instance}}' }))
        .thresholds(thresholds('green', [0.1, 'red']))
        .span(8)
    )

    .withRow(new RowBuilder('Logs'))
    .withPanel(
      logsPanel('Server errors (5xx)', 'Request-log lines of requests answered 5xx in the selected range.').withTarget(
        lokiQuery(`${REQUEST_LOG} | status >= 500`)
      )
    )
    .withPanel(
      logsPanel(
        'Errors logged by the backend',
        'Log lines at level error or fatal: the stack traces behind the 5xx answers, and failures outside requests.'
      ).withTarget(lokiQuery(`${BACKEND_LOGS} | json | level=~"error|fatal"`))
    )
    .build();
}
