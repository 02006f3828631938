/**
 * Security Ops (seed 001, "Grafana Dashboards"): the detection-to-ban pipeline and the audit trail.
 * Fixed from the seed: the "Suspicious activities" heatmap is a time series (the metric is one gauge, a heatmap
 * of one series shows nothing); the threat-intelligence cache gauge and the alert-manager queue gauge are left out
 * (the backend exports neither metric); the audit gauge shows the time since the last verification instead.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  type Dashboard,
  DashboardLinkBuilder,
  DashboardLinkType,
  RowBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  backend,
  cartaeDashboard,
  instanceVariable,
  jobVariable,
  pageLink,
  PluginPage,
  prometheusVariable,
} from '../common';
import {
  gaugePanel,
  pieChart,
  promQuery,
  stackedTimeSeries,
  statPanel,
  tablePanel,
  thresholds,
  timeSeries,
  valueText,
} from '../panels';
import { auditIntegrityStat, countStat, severityColors } from './shared';

/** Bans held by Fail2ban, one value per jail even when several replicas read the same server. */
const FAIL2BAN_BANS = `sum(max by (jail) (${backend('fail2ban_active_bans')}))`;
/** Each replica counts the events it ingested itself over 24 h (backend/src/security/metrics.ts): a sum. */
const SUSPICIOUS = `sum(${backend('security_events_suspicious_activities')})`;

export function securityOps(): Dashboard {
  return cartaeDashboard({
    uid: 'cartae-security-ops',
    title: 'Cartae / Security Ops',
    description:
      'The detection-to-ban pipeline (security events, auto-blocker, Fail2ban) and the health of the audit trail.',
    tags: ['security', 'soar', 'audit'],
    from: 'now-24h',
    refresh: '1m',
  })
    .withVariable(prometheusVariable())
    .withVariable(jobVariable())
    .withVariable(instanceVariable())

    .withRow(new RowBuilder('Detection and response'))
    .withPanel(
      statPanel(
        'Failed logins (24 h)',
        'Failed logins reported by the applications whose events the backend ingests, over the last 24 hours.',
        'short'
      )
        .withTarget(
          promQuery(
            `sum(increase(${backend('security_events_total', 'type="auth.login.failed"')}[24h])) or vector(0)`,
            {
              instant: true,
            }
          )
        )
        .graphMode(common.BigValueGraphMode.None)
        .thresholds(thresholds('green', [1, 'orange'], [100, 'red']))
        .links([pageLink('bans')])
    )
    .withPanel(
      statPanel(
        'Suspicious activities (24 h)',
        'Security-relevant events (severity above info) ingested over the last 24 hours, all replicas.',
        'short'
      )
        .withTarget(promQuery(SUSPICIOUS, { legend: 'suspicious' }))
        .thresholds(thresholds('green', [1, 'orange']))
        .links([pageLink('bans')])
    )
    .withPanel(
      countStat(
        'Active bans (auto-blocker)',
        'IPs the auto-blocker holds banned right now.',
        `max(${backend('soar_active_bans')})`,
        'auto-blocker',
        'bans'
      )
    )
    .withPanel(
      countStat(
        'Active bans (Fail2ban)',
        'IPs banned by Fail2ban right now, all jails.',
        FAIL2BAN_BANS,
        'Fail2ban',
        'bans'
      )
    )
    .withPanel(
      statPanel(
        'Fail2ban',
        'Whether the backend could read Fail2ban at the last scrape. While it cannot, bans are decided but not enforced (Fail2banUnreachable).',
        'none'
      )
        .withTarget(promQuery(`min(${backend('fail2ban_up')})`, { legend: 'Fail2ban' }))
        .mappings(valueText({ '1': ['Up', 'green'], '0': ['Unreachable', 'red'] }, ['No data', 'orange']))
        .thresholds(thresholds('red', [1, 'green']))
        .colorMode(common.BigValueColorMode.Background)
        .graphMode(common.BigValueGraphMode.None)
        .links([pageLink('bans')])
    )
    .withPanel(
      statPanel('Fail2ban jails', 'Jails running in Fail2ban (0 while it is unreachable).', 'short')
        .withTarget(promQuery(`max(${backend('fail2ban_jails_total')})`, { legend: 'jails' }))
        .thresholds(thresholds('red', [1, 'green']))
        .graphMode(common.BigValueGraphMode.None)
        .links([pageLink('bans')])
    )

    .withPanel(
      timeSeries(
        'Blocked IPs and active bans',
        'IPs blocked over the trailing 24 hours, and bans held right now by the auto-blocker and by Fail2ban.',
        'short'
      )
        .withTarget(promQuery(`max(${backend('security_events_blocked_ips_24h')})`, { legend: 'IPs blocked (24 h)' }))
        .withTarget(promQuery(`max(${backend('soar_active_bans')})`, { legend: 'active bans (auto-blocker)' }))
        .withTarget(promQuery(FAIL2BAN_BANS, { legend: 'active bans (Fail2ban)' }))
        .decimals(0)
        .links([pageLink('bans')])
    )
    .withPanel(
      stackedTimeSeries(
        'Security events per minute by severity',
        'Ingested security events per minute (per-second rate × 60), stacked by severity.',
        'epm'
      )
        .withTarget(
          promQuery(`sum by (severity) (rate(${backend('security_events_total')}[$__rate_interval])) * 60`, {
            legend: '{{severity}}',
          })
        )
        .overrides(severityColors())
        .links([pageLink('bans')])
    )
    .withPanel(
      timeSeries(
        'Suspicious activities (trailing 24 h)',
        'Security-relevant events ingested over the 24 hours before each point, all replicas: a rising line is an attack building up.',
        'short'
      )
        .withTarget(promQuery(SUSPICIOUS, { legend: 'suspicious (24 h)' }))
        .decimals(0)
        .links([pageLink('bans')])
        .span(8)
    )
    .withPanel(
      pieChart('Auto-blocks by rule', 'Bans decided by the auto-blocker over the selected range, by rule.', 'short')
        .withTarget(
          promQuery(`sum by (rule) (increase(${backend('soar_auto_blocks_total')}[$__range]))`, {
            legend: '{{rule}}',
            instant: true,
          })
        )
        .links([pageLink('bans')])
    )
    .withPanel(
      tablePanel(
        'Fail2ban jails',
        'Per jail: addresses banned now, and bans made since Fail2ban started. A row opens Bans for that jail.'
      )
        .withTarget(promQuery(`max by (jail) (${backend('fail2ban_active_bans')})`, { instant: true, format: 'table' }))
        .withTarget(
          promQuery(`max by (jail) (${backend('fail2ban_banned_ips_total')})`, { instant: true, format: 'table' })
        )
        .withTransformation({ id: 'merge', options: {} })
        .withTransformation({
          id: 'organize',
          options: {
            excludeByName: { Time: true },
            indexByName: { jail: 0, 'Value #A': 1, 'Value #B': 2 },
            renameByName: { 'Value #A': 'Banned now', 'Value #B': 'Banned since start' },
          },
        })
        .unit('short')
        .decimals(0)
        .thresholds(thresholds('text'))
        .dataLinks([
          new DashboardLinkBuilder('Bans in jail ${__data.fields.jail}')
            .type(DashboardLinkType.Link)
            .url(`${PluginPage.bans}?jail=\${__data.fields.jail}`),
        ])
        .links([pageLink('bans')])
    )

    .withRow(new RowBuilder('Audit trail'))
    .withPanel(auditIntegrityStat())
    .withPanel(
      countStat(
        'Audit entries',
        'Entries in the audit trail (all replicas, read from the database): the Merkle tree size.',
        `max(${backend('audit_log_tree_size')})`,
        'entries',
        'audit'
      )
    )
    .withPanel(
      statPanel(
        'Audit write failures',
        'Requests whose audit entry could not be written over the selected range: they are missing from the trail (AuditWriteFailures).',
        'short'
      )
        .withTarget(
          promQuery(`sum(increase(${backend('audit_log_write_failures_total')}[$__range])) or vector(0)`, {
            instant: true,
          })
        )
        .thresholds(thresholds('green', [1, 'red']))
        .colorMode(common.BigValueColorMode.Background)
        .graphMode(common.BigValueGraphMode.None)
        .links([pageLink('audit')])
    )
    .withPanel(
      gaugePanel(
        'Time since last verification',
        'Time since the latest whole-trail verification finished. The backend verifies every 24 h by default; AuditVerifyOverdue fires past 24 h.',
        's',
        0,
        172800
      )
        .withTarget(
          promQuery(`time() - max(${backend('audit_log_last_verify_timestamp_seconds')})`, {
            instant: true,
            legend: 'since last verification',
          })
        )
        .thresholds(thresholds('green', [86400, 'orange'], [90000, 'red']))
        .noValue('Never verified')
        .links([pageLink('audit')])
        .span(12)
        .height(8)
    )
    .withPanel(
      timeSeries('Audit log volume', 'Audit entries committed per second, all replicas.', 'wps')
        .withTarget(
          promQuery(`sum(rate(${backend('audit_log_entries_total')}[$__rate_interval]))`, { legend: 'entries/s' })
        )
        .links([pageLink('audit')])
    )
    .withPanel(
      timeSeries(
        'Audit write latency',
        'Duration of audit write transactions (one group commit each): p50 and p99. A request waits for its entry to be durable.',
        's'
      )
        .withTarget(
          promQuery(
            `histogram_quantile(0.5, sum by (le) (rate(${backend('audit_log_write_duration_seconds_bucket')}[$__rate_interval])))`,
            { legend: 'p50' }
          )
        )
        .withTarget(
          promQuery(
            `histogram_quantile(0.99, sum by (le) (rate(${backend('audit_log_write_duration_seconds_bucket')}[$__rate_interval])))`,
            { legend: 'p99' }
          )
        )
        .links([pageLink('audit')])
    )
    .build();
}
