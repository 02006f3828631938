// What the live check (live-prometheus.test.mjs) expects of a query: the metrics it cannot expect series of, and
// the value an alert rule alerts on.
import { parser as promqlParser } from '@prometheus-io/lezer-promql';

/**
 * Metrics nothing here produces, by name, with the reason: a query reading one must parse, not return series.
 * Alertmanager's are among them only when Alertmanager is not installed.
 */
export function absentMetrics({ hasAlertmanager }) {
  return {
    node_cpu_seconds_total: 'node-exporter',
    node_memory_MemAvailable_bytes: 'node-exporter',
    node_memory_MemTotal_bytes: 'node-exporter',
    node_filesystem_avail_bytes: 'node-exporter',
    node_filesystem_size_bytes: 'node-exporter',
    node_disk_read_bytes_total: 'node-exporter',
    node_disk_written_bytes_total: 'node-exporter',
    node_network_receive_bytes_total: 'node-exporter',
    node_network_transmit_bytes_total: 'node-exporter',
    node_boot_time_seconds: 'node-exporter',
    node_uname_info: 'node-exporter',
    container_cpu_usage_seconds_total: 'cAdvisor',
    container_memory_working_set_bytes: 'cAdvisor',
    container_spec_memory_limit_bytes: 'cAdvisor',
    container_last_seen: 'cAdvisor',
    pg_up: 'postgres-exporter',
    pg_stat_database_numbackends: 'postgres-exporter',
    pg_stat_database_xact_commit: 'postgres-exporter',
    pg_stat_database_xact_rollback: 'postgres-exporter',
    redis_up: 'redis-exporter',
    redis_memory_used_bytes: 'redis-exporter',
    redis_commands_processed_total: 'redis-exporter',
    probe_success: 'blackbox-exporter (TLS probes)',
    probe_ssl_earliest_cert_expiry: 'blackbox-exporter (TLS probes)',
    // The backend exports these per jail of a running Fail2ban server; here Fail2ban is not reachable (fail2ban_up 0).
    fail2ban_active_bans: 'a running Fail2ban server with jails',
    fail2ban_banned_ips_total: 'a running Fail2ban server with jails',
    // Alertmanager runs here, but only when its Debian package is installed.
    ...(!hasAlertmanager && {
      alertmanager_notifications_total: 'Alertmanager (package prometheus-alertmanager)',
      alertmanager_notifications_failed_total: 'Alertmanager (package prometheus-alertmanager)',
    }),
  };
}

const COMPARISONS = new Set(['Eql', 'Neq', 'Gtr', 'Lss', 'Gte', 'Lte']);

/** An alert expression without its threshold: the left side of its top-level comparison (the value it alerts on). */
export function alertValue(expr) {
  const top = promqlParser.parse(expr).topNode.firstChild;
  const operator = top?.name === 'BinaryExpr' ? top.firstChild?.nextSibling : undefined;
  if (!operator || !COMPARISONS.has(operator.name)) return expr;
  return expr.slice(top.firstChild.from, top.firstChild.to);
}
