/**
 * Infrastructure Health (seed 000, dashboard 3): services, containers, the host and the data stores.
 * Fixed from the seed: `container_*` series come from cAdvisor (scraped by provisioning/prometheus), per
 * container `name`, and memory is the working set (what the OOM killer counts) against limits that exist
 * (`> 0`: 0 means unlimited); CPU is a share of one core (percentunit), not `× 100` per CPU; uptime is in
 * seconds with a duration unit instead of `/ 86400`; TLS expiry reads blackbox's `probe_ssl_earliest_cert_expiry`
 * (no exporter produces `ssl_certificate_expiry_seconds`).
 */
import {
  type Dashboard,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { addRow, cartaeDashboard, PROMETHEUS, prometheusVariable } from '../common';
import { containerPanels, dataStorePanels, hostPanels } from './infrastructure/resources';
import { servicesPanels } from './infrastructure/services';

function allOf(name: string, label: string, query: string) {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(PROMETHEUS)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.+');
}

export function infrastructureHealth(): Dashboard {
  const dashboard = cartaeDashboard({
    uid: 'cartae-infrastructure-health',
    title: 'Cartae / Infrastructure Health',
    description:
      'Everything the stack runs on: scrape targets and uptime, containers (cAdvisor), the host (node-exporter), PostgreSQL, Redis and TLS certificates (blackbox).',
    tags: ['infrastructure'],
    from: 'now-6h',
    refresh: '1m',
  })
    .withVariable(prometheusVariable())
    .withVariable(allOf('node', 'Host', 'label_values(node_uname_info, instance)'))
    .withVariable(allOf('container', 'Container', 'label_values(container_last_seen, name)'));
  addRow(dashboard, 'Services', servicesPanels());
  addRow(dashboard, 'Containers (cAdvisor)', containerPanels());
  addRow(dashboard, 'Host (node-exporter)', hostPanels());
  addRow(dashboard, 'Data stores', dataStorePanels());
  return dashboard.build();
}
