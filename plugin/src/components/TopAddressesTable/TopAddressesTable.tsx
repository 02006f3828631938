import React, { useMemo } from 'react';
import { InteractiveTable, LinkButton, Stack, type Column } from '@grafana/ui';
import type { SecurityStats } from '../../api/types';
import { PLUGIN_BASE_URL, ROUTES } from '../../constants';

type TopAddress = SecurityStats['topIps'][number];

interface Props {
  addresses: TopAddress[];
}

/** The Bans page and the audit log, each narrowed to one address. */
export const bansOfAddress = (ip: string) => `${PLUGIN_BASE_URL}/${ROUTES.Bans}?${new URLSearchParams({ ip })}`;
export const auditOfAddress = (ip: string) => `${PLUGIN_BASE_URL}/${ROUTES.Audit}?${new URLSearchParams({ ip })}`;

/** The addresses with the most events, with where to look at each of them next. */
export function TopAddressesTable({ addresses }: Props) {
  const columns = useMemo<Array<Column<TopAddress>>>(
    () => [
      { id: 'ip', header: 'Address' },
      { id: 'events', header: 'Events', cell: ({ row: { original } }) => original.events.toLocaleString() },
      { id: 'blocked', header: 'Blocked', cell: ({ row: { original } }) => original.blocked.toLocaleString() },
      {
        id: 'links',
        header: '',
        cell: ({ row: { original } }) => (
          <Stack gap={1}>
            <LinkButton
              size="sm"
              variant="secondary"
              fill="text"
              icon="ban"
              href={bansOfAddress(original.ip)}
              aria-label={`Bans of ${original.ip}`}
              tooltip={`Bans of ${original.ip}`}
            />
            <LinkButton
              size="sm"
              variant="secondary"
              fill="text"
              icon="history"
              href={auditOfAddress(original.ip)}
              aria-label={`Audit log of ${original.ip}`}
              tooltip={`Audit log of ${original.ip}`}
            />
          </Stack>
        ),
      },
    ],
    []
  );
  return <InteractiveTable columns={columns} data={addresses} getRowId={(row) => row.ip} />;
}
