/** Panels that more than one dashboard shows the same way. */
import * as common from '@grafana/grafana-foundation-sdk/common';
import type { DynamicConfigValue, MatcherConfig } from '@grafana/grafana-foundation-sdk/dashboard';
import { backend, ipLinks, pageLink, REQUEST_LOG, type PluginPage } from '../common';
import { lokiQuery, promQuery, statPanel, tablePanel, thresholds, valueText } from '../panels';

/** The latest whole-trail verification (any replica or the CLI): the first thing an auditor asks. */
export function auditIntegrityStat() {
  return statPanel(
    'Audit trail integrity',
    'Result of the latest verification of the whole audit trail (hash chain and Merkle tree), by any replica or the CLI. Open the audit log to verify again or find the first bad entry.',
    'none'
  )
    .withTarget(promQuery(`min(${backend('audit_log_integrity_check_result')})`, { legend: 'integrity' }))
    .mappings(valueText({ '1': ['Valid', 'green'], '0': ['TAMPERED', 'red'] }, ['Not verified yet', 'orange']))
    .thresholds(thresholds('red', [1, 'green']))
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None)
    .links([pageLink('audit')]);
}

/** A count read from one query (a gauge of the backend, one value for all replicas), linked to the page acting on it. */
export function countStat(title: string, description: string, query: string, legend: string, page: PluginPage) {
  return statPanel(title, description, 'short')
    .withTarget(promQuery(query, { legend }))
    .thresholds(thresholds('blue'))
    .links([pageLink(page)]);
}

const SEVERITY_COLORS: Record<string, string> = {
  critical: 'dark-red',
  high: 'red',
  medium: 'orange',
  low: 'yellow',
  info: 'blue',
};

/** The same colour for a severity on every panel, whatever order the series come in. */
export function severityColors(): { matcher: MatcherConfig; properties: DynamicConfigValue[] }[] {
  return Object.entries(SEVERITY_COLORS).map(([severity, color]) => ({
    matcher: { id: 'byName', options: severity },
    properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: color } }],
  }));
}

/**
 * The ten IPs with the most request-log lines matching `filter` over the range. Loki answers one frame per
 * series with the IP as a label: labelsToFields + merge make one table, so each row can link by its `ip` field.
 */
export function topIpsTable(title: string, description: string, filter: string, column: string) {
  return tablePanel(title, description)
    .withTarget(
      lokiQuery(`topk(10, sum by (ip) (count_over_time(${REQUEST_LOG} | ${filter} [$__range])))`, { instant: true })
    )
    .withTransformation({ id: 'labelsToFields', options: { mode: 'columns' } })
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({ id: 'sortBy', options: { sort: [{ field: 'Value', desc: true }] } })
    .withTransformation({
      id: 'organize',
      options: { excludeByName: { Time: true }, indexByName: { ip: 0, Value: 1 }, renameByName: { Value: column } },
    })
    .unit('short')
    .thresholds(thresholds('text'))
    .dataLinks(ipLinks('${__data.fields.ip}'))
    .links([pageLink('bans')])
    .span(6);
}
