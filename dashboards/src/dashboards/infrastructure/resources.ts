/**
 * Infrastructure Health, rows "Containers", "Host" and "Data stores": what each container, host and data store
 * uses. `$node` and `$container` are the dashboard's host and container variables ("All" is `.+`).
 */
import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import type { Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  belowAxis,
  gaugePanel,
  mirroredTimeSeries,
  promQuery,
  thresholds,
  timeSeries,
  withThresholdLine,
} from '../../panels';

const NODE = 'instance=~"$node"';
const CONTAINER = 'name=~"$container"';
/** Physical interfaces only: loopback and Docker's virtual ones would count every packet twice. */
const NIC = `${NODE}, device!~"lo|veth.*|docker.*|br-.*"`;
const ROOT_FS = `${NODE}, mountpoint="/", fstype!="rootfs"`;
const DB = 'datname!~"template.*"';

/** cAdvisor: CPU and memory per container, memory against limits. */
export function containerPanels(): Builder<Panel>[] {
  return [
    withThresholdLine(
      timeSeries(
        'CPU per container',
        'CPU used by each container: 100% is one full core. The dashed line is the HighCPUUsage threshold (80%).',
        'percentunit'
      )
    )
      .withTarget(
        promQuery(`sum by (name) (rate(container_cpu_usage_seconds_total{${CONTAINER}}[$__rate_interval]))`, {
          legend: '{{name}}',
        })
      )
      .thresholds(thresholds('green', [0.8, 'red']))
      .span(8),
    timeSeries(
      'Memory per container',
      'Working-set memory of each container: what the kernel counts against its limit before killing it.',
      'bytes'
    )
      .withTarget(promQuery(`max by (name) (container_memory_working_set_bytes{${CONTAINER}})`, { legend: '{{name}}' }))
      .span(8),
    gaugePanel(
      'Memory vs limit',
      'Working set as a share of the memory limit, for containers that have one. HighMemoryUsage fires above 90%.',
      'percentunit',
      0,
      1
    )
      .withTarget(
        promQuery(
          `max by (name) (container_memory_working_set_bytes{${CONTAINER}}) / max by (name) (container_spec_memory_limit_bytes{${CONTAINER}} > 0)`,
          { legend: '{{name}}' }
        )
      )
      .thresholds(thresholds('green', [0.8, 'orange'], [0.9, 'red']))
      .span(8),
  ];
}

/** node-exporter: CPU, memory, root filesystem, disk and network per host. */
export function hostPanels(): Builder<Panel>[] {
  return [
    withThresholdLine(timeSeries('Host CPU', 'Share of all CPUs busy (not idle), per host.', 'percentunit'))
      .withTarget(
        promQuery(`1 - avg by (instance) (rate(node_cpu_seconds_total{${NODE}, mode="idle"}[$__rate_interval]))`, {
          legend: '{{instance}}',
        })
      )
      .thresholds(thresholds('green', [0.8, 'red']))
      .max(1)
      .span(12),
    gaugePanel('Host memory used', 'Memory in use (not available to new processes), per host.', 'percentunit', 0, 1)
      .withTarget(
        promQuery(`1 - node_memory_MemAvailable_bytes{${NODE}} / node_memory_MemTotal_bytes{${NODE}}`, {
          legend: '{{instance}}',
        })
      )
      .thresholds(thresholds('green', [0.8, 'orange'], [0.9, 'red'])),
    gaugePanel(
      'Root filesystem used',
      'Space used on the root filesystem, per host. LowDiskSpace fires under 10% free.',
      'percentunit',
      0,
      1
    )
      .withTarget(
        promQuery(`1 - node_filesystem_avail_bytes{${ROOT_FS}} / node_filesystem_size_bytes{${ROOT_FS}}`, {
          legend: '{{instance}}',
        })
      )
      .thresholds(thresholds('green', [0.8, 'orange'], [0.9, 'red'])),
    mirroredTimeSeries('Disk I/O', 'Bytes read (above the axis) and written (below) per second, per host.', 'Bps')
      .withTarget(
        promQuery(`sum by (instance) (rate(node_disk_read_bytes_total{${NODE}}[$__rate_interval]))`, {
          legend: '{{instance}} read',
        })
      )
      .withTarget(
        promQuery(`sum by (instance) (rate(node_disk_written_bytes_total{${NODE}}[$__rate_interval]))`, {
          legend: '{{instance}} write',
        })
      )
      .withOverride(belowAxis('/ write$/')),
    mirroredTimeSeries(
      'Network traffic',
      'Bytes received (above the axis) and sent (below) per second on physical interfaces, per host.',
      'Bps'
    )
      .withTarget(
        promQuery(`sum by (instance) (rate(node_network_receive_bytes_total{${NIC}}[$__rate_interval]))`, {
          legend: '{{instance}} in',
        })
      )
      .withTarget(
        promQuery(`sum by (instance) (rate(node_network_transmit_bytes_total{${NIC}}[$__rate_interval]))`, {
          legend: '{{instance}} out',
        })
      )
      .withOverride(belowAxis('/ out$/')),
  ];
}

/** postgres-exporter and redis-exporter: connections, transactions, memory, commands. */
export function dataStorePanels(): Builder<Panel>[] {
  return [
    timeSeries('PostgreSQL connections', 'Backends connected to each database.', 'short')
      .withTarget(promQuery(`sum by (datname) (pg_stat_database_numbackends{${DB}})`, { legend: '{{datname}}' }))
      .decimals(0)
      .span(6),
    timeSeries('PostgreSQL transactions', 'Commits and rollbacks per second, per database.', 'ops')
      .withTarget(
        promQuery(`sum by (datname) (rate(pg_stat_database_xact_commit{${DB}}[$__rate_interval]))`, {
          legend: '{{datname}} commits',
        })
      )
      .withTarget(
        promQuery(`sum by (datname) (rate(pg_stat_database_xact_rollback{${DB}}[$__rate_interval]))`, {
          legend: '{{datname}} rollbacks',
        })
      )
      .span(6),
    timeSeries('Redis memory', 'Memory Redis uses for its data.', 'bytes')
      .withTarget(promQuery('redis_memory_used_bytes', { legend: '{{instance}}' }))
      .span(6),
    timeSeries('Redis commands', 'Commands Redis processes per second.', 'ops')
      .withTarget(
        promQuery('sum by (instance) (rate(redis_commands_processed_total[$__rate_interval]))', {
          legend: '{{instance}}',
        })
      )
      .span(6),
  ];
}
