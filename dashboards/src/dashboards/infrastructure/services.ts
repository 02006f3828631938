/**
 * Infrastructure Health, row "Services": is every scraped service up, since when, and are the data stores and TLS
 * endpoints reachable. `$node` is the dashboard's host variable.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import type { Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import { promQuery, statPanel, tablePanel, thresholds, valueText } from '../../panels';

const NODE = 'instance=~"$node"';

const upDown = () => valueText({ '1': ['Up', 'green'], '0': ['Down', 'red'] }, ['No data', 'orange']);

/** Targets down, PostgreSQL, Redis, TLS and host at a glance; scrape targets, uptimes and certificates. */
export function servicesPanels(): Builder<Panel>[] {
  return [
    statPanel('Targets down', 'Scrape targets Prometheus could not reach at the last scrape.', 'none')
      .withTarget(promQuery('count(up == 0) or vector(0)', { legend: 'down' }))
      .thresholds(thresholds('green', [1, 'red']))
      .colorMode(common.BigValueColorMode.Background),
    statPanel('PostgreSQL', 'Whether postgres-exporter can connect to PostgreSQL.', 'none')
      .withTarget(promQuery('min(pg_up)', { legend: 'PostgreSQL' }))
      .mappings(upDown())
      .thresholds(thresholds('red', [1, 'green']))
      .colorMode(common.BigValueColorMode.Background)
      .graphMode(common.BigValueGraphMode.None),
    statPanel('Redis', 'Whether redis-exporter can connect to Redis.', 'none')
      .withTarget(promQuery('min(redis_up)', { legend: 'Redis' }))
      .mappings(upDown())
      .thresholds(thresholds('red', [1, 'green']))
      .colorMode(common.BigValueColorMode.Background)
      .graphMode(common.BigValueGraphMode.None),
    statPanel('TLS probes', 'Whether every TLS endpoint blackbox-exporter probes answered with a valid chain.', 'none')
      .withTarget(promQuery('min(probe_success)', { legend: 'probes' }))
      .mappings(valueText({ '1': ['All OK', 'green'], '0': ['Failing', 'red'] }, ['No probes', 'text']))
      .thresholds(thresholds('red', [1, 'green']))
      .colorMode(common.BigValueColorMode.Background)
      .graphMode(common.BigValueGraphMode.None),
    statPanel(
      'Earliest certificate expiry',
      'Time left on the TLS certificate that expires first. CertificateExpiringSoon fires under 7 days.',
      'dtdurations'
    )
      .withTarget(promQuery('min(probe_ssl_earliest_cert_expiry - time())', { legend: 'expires in' }))
      .thresholds(thresholds('red', [604800, 'orange'], [2592000, 'green']))
      .graphMode(common.BigValueGraphMode.None),
    statPanel('Host uptime', 'Time since the host booted (the most recently booted, if several).', 'dtdurations')
      .withTarget(promQuery(`min(time() - node_boot_time_seconds{${NODE}})`, { legend: 'uptime' }))
      .thresholds(thresholds('orange', [3600, 'green']))
      .graphMode(common.BigValueGraphMode.None),
    tablePanel('Scrape targets', 'Every target Prometheus scrapes, up or down, by job.')
      .withTarget(promQuery('up', { instant: true, format: 'table' }))
      .withTransformation({
        id: 'organize',
        options: {
          excludeByName: { Time: true, __name__: true },
          indexByName: { job: 0, instance: 1, Value: 2 },
          renameByName: { Value: 'State' },
        },
      })
      .withOverride({
        matcher: { id: 'byName', options: 'State' },
        properties: [
          { id: 'mappings', value: upDown() },
          { id: 'custom.cellOptions', value: { type: 'color-background' } },
        ],
      })
      .span(8),
    tablePanel(
      'Service uptime',
      'Time since each scraped process started (every exporter and service that reports process_start_time_seconds).'
    )
      .withTarget(promQuery('time() - process_start_time_seconds', { instant: true, format: 'table' }))
      .withTransformation({
        id: 'organize',
        options: {
          excludeByName: { Time: true },
          indexByName: { job: 0, instance: 1, Value: 2 },
          renameByName: { Value: 'Uptime' },
        },
      })
      .withTransformation({ id: 'sortBy', options: { sort: [{ field: 'Uptime', desc: false }] } })
      .unit('dtdurations')
      .thresholds(thresholds('orange', [600, 'text']))
      .span(8),
    tablePanel(
      'TLS certificates',
      'Per probed endpoint: time left on its earliest-expiring certificate, and the probe result.'
    )
      .withTarget(
        promQuery('min by (instance) (probe_ssl_earliest_cert_expiry) - time()', { instant: true, format: 'table' })
      )
      .withTarget(promQuery('min by (instance) (probe_success)', { instant: true, format: 'table' }))
      .withTransformation({ id: 'merge', options: {} })
      .withTransformation({
        id: 'organize',
        options: {
          excludeByName: { Time: true },
          indexByName: { instance: 0, 'Value #A': 1, 'Value #B': 2 },
          renameByName: { instance: 'Endpoint', 'Value #A': 'Expires in', 'Value #B': 'Probe' },
        },
      })
      .withOverride({
        matcher: { id: 'byName', options: 'Expires in' },
        properties: [
          { id: 'unit', value: 'dtdurations' },
          { id: 'thresholds', value: thresholds('red', [604800, 'orange'], [2592000, 'green']).build() },
          { id: 'custom.cellOptions', value: { type: 'color-text' } },
        ],
      })
      .withOverride({
        matcher: { id: 'byName', options: 'Probe' },
        properties: [
          { id: 'mappings', value: upDown() },
          { id: 'custom.cellOptions', value: { type: 'color-text' } },
        ],
      })
      .span(8),
  ];
}
