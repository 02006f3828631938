import React, { type ChangeEvent } from 'react';
import type { QueryEditorProps, SelectableValue } from '@grafana/data';
import { InlineField, InlineFieldRow, Input, RadioButtonGroup, Stack } from '@grafana/ui';
import type { DataSource } from '../../DataSource';
import {
  DEFAULT_LIMIT,
  MAX_LIMIT,
  QueryType,
  SEVERITIES,
  type AuditGroupBy,
  type SecopsOptions,
  type SecopsQuery,
  type SecopsQueryType,
  type Severity,
} from '../../types';

export type SecopsQueryEditorProps = QueryEditorProps<DataSource, SecopsQuery, SecopsOptions>;

const QUERY_TYPES: Array<SelectableValue<SecopsQueryType>> = [
  { label: 'Events', value: QueryType.Events, description: 'Security events of the time range (table)' },
  { label: 'Event counts', value: QueryType.EventCounts, description: 'Events per type over time (time series)' },
  { label: 'Active bans', value: QueryType.ActiveBans, description: 'Bans in force now (table)' },
  {
    label: 'Audit stats',
    value: QueryType.AuditStats,
    description: 'Audit entries and failures per day, action or resource',
  },
];

const SEVERITY_OPTIONS: Array<SelectableValue<Severity | ''>> = [
  { label: 'Any', value: '' },
  ...SEVERITIES.map((s) => ({ label: s, value: s })),
];

const GROUP_BY_OPTIONS: Array<SelectableValue<AuditGroupBy>> = [
  { label: 'Day', value: 'day' },
  { label: 'Action', value: 'action' },
  { label: 'Resource', value: 'resource' },
];

type TextKey = 'eventType' | 'ip' | 'user';

const LABEL_WIDTH = 14;

/** The query type, then its own options; text options apply when they lose focus, choices at once. */
export function QueryEditor({ query, onChange, onRunQuery }: SecopsQueryEditorProps) {
  const queryType = query.queryType ?? QueryType.Events;
  const change = (next: Partial<SecopsQuery>, run = false) => {
    onChange({ ...query, ...next });
    if (run) {
      onRunQuery();
    }
  };
  const text = (key: TextKey, label: string, placeholder: string, tooltip: string) => (
    <InlineField label={label} labelWidth={LABEL_WIDTH} tooltip={tooltip}>
      <Input
        id={`secops-query-${key}-${query.refId}`}
        width={28}
        value={query[key] ?? ''}
        placeholder={placeholder}
        onChange={(event: ChangeEvent<HTMLInputElement>) => change({ [key]: event.currentTarget.value || undefined })}
        onBlur={() => onRunQuery()}
      />
    </InlineField>
  );
  const limit = (
    <InlineField label="Limit" labelWidth={LABEL_WIDTH} tooltip={`Rows to fetch, 1 to ${MAX_LIMIT}`}>
      <Input
        id={`secops-query-limit-${query.refId}`}
        type="number"
        min={1}
        max={MAX_LIMIT}
        width={12}
        value={query.limit ?? ''}
        placeholder={String(DEFAULT_LIMIT)}
        onChange={(event: ChangeEvent<HTMLInputElement>) => {
          const value = event.currentTarget.valueAsNumber;
          change({ limit: Number.isFinite(value) ? value : undefined });
        }}
        onBlur={() => onRunQuery()}
      />
    </InlineField>
  );

  return (
    <Stack direction="column" gap={0}>
      <InlineFieldRow>
        <InlineField label="Query type" labelWidth={LABEL_WIDTH}>
          <RadioButtonGroup<SecopsQueryType>
            options={QUERY_TYPES}
            value={queryType}
            onChange={(value) => change({ queryType: value }, true)}
          />
        </InlineField>
      </InlineFieldRow>
      {queryType === QueryType.Events && (
        <>
          <InlineFieldRow>
            {text(
              'eventType',
              'Event type',
              'auth.login.failed',
              'One type, or several separated by commas; $variables work'
            )}
            {text('ip', 'IP or CIDR', '192.0.2.0/24', 'An address or a CIDR block')}
            {text('user', 'User', 'alice', 'Events of this user')}
          </InlineFieldRow>
          <InlineFieldRow>
            <InlineField label="Severity" labelWidth={LABEL_WIDTH}>
              <RadioButtonGroup<Severity | ''>
                options={SEVERITY_OPTIONS}
                value={query.severity ?? ''}
                onChange={(value) => change({ severity: value || undefined }, true)}
              />
            </InlineField>
            {limit}
          </InlineFieldRow>
        </>
      )}
      {queryType === QueryType.EventCounts && (
        <InlineFieldRow>
          {text('eventType', 'Event types', 'all types', 'Only these types, separated by commas; $variables work')}
        </InlineFieldRow>
      )}
      {queryType === QueryType.ActiveBans && (
        <InlineFieldRow>
          {text('ip', 'IP or CIDR', '192.0.2.0/24', 'Bans of this address or inside this block')}
          {limit}
        </InlineFieldRow>
      )}
      {queryType === QueryType.AuditStats && (
        <InlineFieldRow>
          <InlineField label="Group by" labelWidth={LABEL_WIDTH}>
            <RadioButtonGroup<AuditGroupBy>
              options={GROUP_BY_OPTIONS}
              value={query.groupBy ?? 'day'}
              onChange={(value) => change({ groupBy: value }, true)}
            />
          </InlineField>
        </InlineFieldRow>
      )}
    </Stack>
  );
}
