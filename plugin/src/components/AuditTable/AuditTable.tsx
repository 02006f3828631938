import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { Badge, Button, InteractiveTable, useStyles2, type Column } from '@grafana/ui';
import type { AuditEventRecord } from '../../api/types';
import { LoadMore } from '../LoadMore/LoadMore';

interface Props {
  events: AuditEventRecord[];
  hasMore: boolean;
  isLoadingMore: boolean;
  onLoadMore: () => void;
  onSelect: (id: string) => void;
}

/** One row per audit entry, newest first; older entries come a keyset page at a time. */
export function AuditTable({ events, hasMore, isLoadingMore, onLoadMore, onSelect }: Props) {
  const styles = useStyles2(getStyles);
  const columns = useMemo<Array<Column<AuditEventRecord>>>(
    () => [
      {
        id: 'seq',
        header: 'Seq',
        cell: ({ row: { original } }) => <span className={styles.mono}>{original.seq}</span>,
      },
      {
        id: 'timestamp',
        header: 'Time',
        cell: ({ row: { original } }) => dateTimeFormat(original.timestamp, { format: 'YYYY-MM-DD HH:mm:ss' }),
      },
      { id: 'user', header: 'User', cell: ({ row: { original } }) => original.username ?? original.userId ?? '—' },
      { id: 'action', header: 'Action' },
      {
        id: 'resource',
        header: 'Resource',
        cell: ({ row: { original } }) =>
          original.resourceId ? `${original.resource} ${original.resourceId}` : original.resource,
      },
      { id: 'ip', header: 'IP', cell: ({ row: { original } }) => original.ip ?? '—' },
      {
        id: 'status',
        header: 'Status',
        cell: ({ row: { original } }) => (
          <Badge
            text={original.statusCode ? `${original.status} ${original.statusCode}` : original.status}
            color={original.status === 'success' ? 'green' : 'red'}
          />
        ),
      },
      {
        id: 'details',
        header: '',
        cell: ({ row: { original } }) => (
          <Button
            size="sm"
            variant="secondary"
            fill="text"
            icon="eye"
            aria-label={`Details of entry ${original.seq}`}
            onClick={() => onSelect(original.id)}
          >
            Details
          </Button>
        ),
      },
    ],
    [onSelect, styles]
  );

  return (
    <div>
      <InteractiveTable columns={columns} data={events} getRowId={(row) => row.id} />
      <LoadMore hasMore={hasMore} isLoadingMore={isLoadingMore} onLoadMore={onLoadMore} label="Load older entries" />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace }),
});
