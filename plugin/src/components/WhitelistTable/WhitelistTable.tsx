import React, { useMemo, useState } from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { Badge, Button, InteractiveTable, useStyles2, type Column } from '@grafana/ui';
import type { WhitelistEntry } from '../../api/types';
import { useRemoveWhitelistEntry } from '../../data/useWhitelist';
import { ReasonModal } from '../ReasonModal/ReasonModal';
import { Countdown } from '../BansTable/Countdown';

interface Props {
  entries: WhitelistEntry[];
  canRemove: boolean;
}

const formatTime = (iso: string) => dateTimeFormat(iso, { format: 'YYYY-MM-DD HH:mm:ss' });

/** Addresses and blocks never counted nor banned; configuration file entries can only be changed in the file. */
export function WhitelistTable({ entries, canRemove }: Props) {
  const styles = useStyles2(getStyles);
  const columns = useMemo<Array<Column<WhitelistEntry>>>(
    () => [
      {
        id: 'ip',
        header: 'IP or block',
        cell: ({ row: { original } }) => <span className={styles.mono}>{original.ip}</span>,
      },
      {
        id: 'source',
        header: 'Source',
        cell: ({ row: { original } }) => (
          <Badge
            color={original.source === 'config' ? 'darkgrey' : 'blue'}
            text={original.source === 'config' ? 'configuration file' : 'API'}
          />
        ),
      },
      { id: 'reason', header: 'Reason' },
      { id: 'actor', header: 'Added by' },
      {
        id: 'createdAt',
        header: 'Added',
        cell: ({ row: { original } }) => (original.createdAt ? formatTime(original.createdAt) : '—'),
      },
      {
        id: 'expiresAt',
        header: 'Expires',
        cell: ({ row: { original } }) =>
          original.expiresAt ? <Countdown until={original.expiresAt} /> : <span>never</span>,
      },
      ...(canRemove
        ? [
            {
              id: 'actions',
              header: '',
              cell: ({ row: { original } }) => (original.source === 'api' ? <RemoveButton ip={original.ip} /> : null),
            } as Column<WhitelistEntry>,
          ]
        : []),
    ],
    [canRemove, styles]
  );
  return <InteractiveTable columns={columns} data={entries} getRowId={(row) => `${row.source}-${row.ip}`} />;
}

function RemoveButton({ ip }: { ip: string }) {
  const [isOpen, setIsOpen] = useState(false);
  const { mutateAsync } = useRemoveWhitelistEntry();
  return (
    <>
      <Button
        size="sm"
        variant="secondary"
        icon="trash-alt"
        aria-label={`Remove ${ip} from the whitelist`}
        onClick={() => setIsOpen(true)}
      >
        Remove
      </Button>
      {isOpen && (
        <ReasonModal
          title={`Remove ${ip} from the whitelist`}
          description={`Events from ${ip} are counted again and may ban it.`}
          confirmText="Remove"
          onConfirm={(reason) => mutateAsync({ ip, reason })}
          onDismiss={() => setIsOpen(false)}
        />
      )}
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace }),
});
