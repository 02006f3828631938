import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { InteractiveTable, Stack, useStyles2, type Column } from '@grafana/ui';
import type { Ban } from '../../api/types';
import { LoadMore } from '../LoadMore/LoadMore';
import { formatDuration } from '../../utils/duration';
import { Countdown } from './Countdown';
import { EnforcementBadges } from './EnforcementBadges';
import { UnbanButton } from './UnbanButton';

interface Props {
  bans: Ban[];
  /** `active`: bans in force with their countdown; `history`: ended or lifted ones with how they ended. */
  variant: 'active' | 'history';
  canUnban: boolean;
  hasMore: boolean;
  isLoadingMore: boolean;
  onLoadMore: () => void;
}

const formatTime = (iso: string) => dateTimeFormat(iso, { format: 'YYYY-MM-DD HH:mm:ss' });

/** One row per ban, newest first; older ones come a keyset page at a time. */
export function BansTable({ bans, variant, canUnban, hasMore, isLoadingMore, onLoadMore }: Props) {
  const styles = useStyles2(getStyles);
  const columns = useMemo<Array<Column<Ban>>>(() => {
    const common: Array<Column<Ban>> = [
      { id: 'ip', header: 'IP', cell: ({ row: { original } }) => <span className={styles.mono}>{original.ip}</span> },
      {
        id: 'rule',
        header: 'Rule / source',
        cell: ({ row: { original } }) => (
          <Stack direction="column" gap={0}>
            <span>{original.ruleId}</span>
            <span className={styles.secondary}>
              {original.source} · {original.actor}
            </span>
          </Stack>
        ),
      },
      { id: 'reason', header: 'Reason', cell: ({ row: { original } }) => original.reason ?? '—' },
      { id: 'since', header: 'Since', cell: ({ row: { original } }) => formatTime(original.at) },
    ];
    const banNumber: Column<Ban> = {
      id: 'banNumber',
      header: 'Ban #',
      cell: ({ row: { original } }) => original.banNumber,
    };
    if (variant === 'history') {
      return [
        ...common,
        {
          id: 'duration',
          header: 'Duration',
          cell: ({ row: { original } }) => (original.duration < 0 ? 'permanent' : formatDuration(original.duration)),
        },
        banNumber,
        { id: 'ended', header: 'Ended', cell: ({ row: { original } }) => <Ended ban={original} /> },
      ];
    }
    return [
      ...common,
      { id: 'expires', header: 'Expires', cell: ({ row: { original } }) => <Countdown until={original.until} /> },
      banNumber,
      {
        id: 'enforcement',
        header: 'Enforcement',
        cell: ({ row: { original } }) => <EnforcementBadges enforcement={original.enforcement} />,
      },
      ...(canUnban
        ? [
            {
              id: 'actions',
              header: '',
              cell: ({ row: { original } }) => <UnbanButton ip={original.ip} />,
            } as Column<Ban>,
          ]
        : []),
    ];
  }, [variant, canUnban, styles]);

  return (
    <div>
      <InteractiveTable columns={columns} data={bans} getRowId={(row) => row.id} />
      <LoadMore hasMore={hasMore} isLoadingMore={isLoadingMore} onLoadMore={onLoadMore} label="Load older bans" />
    </div>
  );
}

/** How a ban ended: lifted by someone (who, why) or its time ran out. */
function Ended({ ban }: { ban: Ban }) {
  if (ban.liftedAt) {
    return (
      <span>
        lifted {formatTime(ban.liftedAt)} by {ban.liftedBy ?? 'unknown'}
        {ban.liftReason ? `: ${ban.liftReason}` : ''}
      </span>
    );
  }
  if (ban.endedAt) {
    return <span>expired {formatTime(ban.endedAt)}</span>;
  }
  return <span>{ban.until ? `expired ${formatTime(ban.until)}` : '—'}</span>;
}

const getStyles = (theme: GrafanaTheme2) => ({
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace }),
  secondary: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
