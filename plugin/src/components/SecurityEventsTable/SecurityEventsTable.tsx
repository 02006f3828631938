import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { Badge, InteractiveTable, useStyles2, type BadgeColor, type Column } from '@grafana/ui';
import type { SecurityEventRecord } from '../../api/types';

interface Props {
  events: SecurityEventRecord[];
}

const SEVERITY_COLORS: Record<string, BadgeColor> = {
  info: 'darkgrey',
  low: 'blue',
  medium: 'orange',
  high: 'red',
  critical: 'purple',
};

/** What the auto-blocker did with an event, coloured by how far it went. */
const OUTCOME_COLORS: Record<string, BadgeColor> = {
  banned: 'red',
  blocked: 'red',
  alerted: 'orange',
  whitelisted: 'green',
};

/** Security events, newest first: when, what, from where, how serious, and what the auto-blocker made of it. */
export function SecurityEventsTable({ events }: Props) {
  const styles = useStyles2(getStyles);
  const columns = useMemo<Array<Column<SecurityEventRecord>>>(
    () => [
      {
        id: 'time',
        header: 'Time',
        cell: ({ row: { original } }) => dateTimeFormat(original.time, { format: 'YYYY-MM-DD HH:mm:ss' }),
      },
      {
        id: 'type',
        header: 'Type',
        cell: ({ row: { original } }) => <span className={styles.mono}>{original.type}</span>,
      },
      {
        id: 'severity',
        header: 'Severity',
        cell: ({ row: { original } }) => (
          <Badge text={original.severity} color={SEVERITY_COLORS[original.severity] ?? 'darkgrey'} />
        ),
      },
      { id: 'ip', header: 'Address' },
      { id: 'user', header: 'User', cell: ({ row: { original } }) => original.user ?? '—' },
      {
        id: 'request',
        header: 'Request',
        cell: ({ row: { original } }) =>
          original.path
            ? `${original.method ?? ''} ${original.path} ${original.status ?? ''}`.trim()
            : (original.msg ?? '—'),
      },
      {
        id: 'outcome',
        header: 'Outcome',
        cell: ({ row: { original } }) => (
          <Badge
            text={original.ruleId ? `${original.outcome} (${original.ruleId})` : original.outcome}
            color={OUTCOME_COLORS[original.outcome] ?? 'darkgrey'}
          />
        ),
      },
    ],
    [styles]
  );
  return <InteractiveTable columns={columns} data={events} getRowId={(row) => row.id} />;
}

const getStyles = (theme: GrafanaTheme2) => ({
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace }),
});
