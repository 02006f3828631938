import { createDataFrame, DataFrameType, FieldType, type DataFrame, type FieldConfig } from '@grafana/data';
import type { AuditGroupBy, AuditStats, Ban, SecurityEvent } from './types';

const time = (iso: string | null) => (iso === null ? null : Date.parse(iso));

/** Events: one table frame, newest first, one row an event. */
export function eventsFrame(refId: string, events: SecurityEvent[]): DataFrame {
  const column = <K extends keyof SecurityEvent>(key: K) => events.map((e) => e[key]);
  return createDataFrame({
    refId,
    name: 'Security events',
    meta: { preferredVisualisationType: 'table' },
    fields: [
      { name: 'Time', type: FieldType.time, values: events.map((e) => time(e.time)) },
      { name: 'Type', type: FieldType.string, values: column('type') },
      { name: 'Severity', type: FieldType.string, values: column('severity') },
      { name: 'Outcome', type: FieldType.string, values: column('outcome') },
      { name: 'IP', type: FieldType.string, values: column('ip') },
      { name: 'User', type: FieldType.string, values: column('user') },
      { name: 'Method', type: FieldType.string, values: column('method') },
      { name: 'Path', type: FieldType.string, values: column('path') },
      { name: 'Status', type: FieldType.number, values: column('status'), config: { decimals: 0 } },
      { name: 'Message', type: FieldType.string, values: column('msg') },
      { name: 'Rule', type: FieldType.string, values: column('ruleId') },
      { name: 'Jail', type: FieldType.string, values: column('jail') },
      { name: 'Source', type: FieldType.string, values: column('source') },
      { name: 'Event ID', type: FieldType.string, values: column('id') },
    ],
  });
}

/** Active bans: one table frame; a permanent ban has no end and no duration. */
export function bansFrame(refId: string, bans: Ban[]): DataFrame {
  const permanent: FieldConfig = { noValue: 'permanent' };
  return createDataFrame({
    refId,
    name: 'Active bans',
    meta: { preferredVisualisationType: 'table' },
    fields: [
      { name: 'IP', type: FieldType.string, values: bans.map((b) => b.ip) },
      { name: 'Banned at', type: FieldType.time, values: bans.map((b) => time(b.at)) },
      { name: 'Until', type: FieldType.time, values: bans.map((b) => time(b.until)), config: permanent },
      {
        name: 'Duration',
        type: FieldType.number,
        values: bans.map((b) => (b.duration < 0 ? null : b.duration)),
        config: { ...permanent, unit: 's' },
      },
      { name: 'Rule', type: FieldType.string, values: bans.map((b) => b.ruleId) },
      { name: 'Severity', type: FieldType.string, values: bans.map((b) => b.severity) },
      { name: 'Ban number', type: FieldType.number, values: bans.map((b) => b.banNumber), config: { decimals: 0 } },
      { name: 'Source', type: FieldType.string, values: bans.map((b) => b.source) },
      { name: 'Actor', type: FieldType.string, values: bans.map((b) => b.actor) },
      { name: 'Reason', type: FieldType.string, values: bans.map((b) => b.reason) },
      {
        name: 'Enforcement',
        type: FieldType.string,
        values: bans.map((b) => b.enforcement.map((e) => `${e.adapter}: ${e.state}`).join(', ')),
      },
    ],
  });
}

const GROUP_LABEL: Record<Exclude<AuditGroupBy, 'day'>, string> = { action: 'Action', resource: 'Resource' };

/**
 * Audit stats: per UTC day a time series (Time first, so a time series or bar chart panel shows it as such),
 * per action or resource a table of counts.
 */
export function auditStatsFrame(refId: string, groupBy: AuditGroupBy, { buckets }: AuditStats): DataFrame {
  const counts = [
    { name: 'Entries', type: FieldType.number, values: buckets.map((b) => b.total), config: { decimals: 0 } },
    { name: 'Failures', type: FieldType.number, values: buckets.map((b) => b.failures), config: { decimals: 0 } },
  ];
  if (groupBy === 'day') {
    return createDataFrame({
      refId,
      name: 'Audit entries per day',
      meta: { type: DataFrameType.TimeSeriesWide },
      fields: [
        {
          name: 'Time',
          type: FieldType.time,
          values: buckets.map((b) => Date.parse(`${b.key}T00:00:00Z`)),
          config: { interval: 86_400_000 },
        },
        ...counts,
      ],
    });
  }
  return createDataFrame({
    refId,
    name: `Audit entries per ${groupBy}`,
    meta: { preferredVisualisationType: 'table' },
    fields: [{ name: GROUP_LABEL[groupBy], type: FieldType.string, values: buckets.map((b) => b.key) }, ...counts],
  });
}
