import React from 'react';
import { LinkButton, Stack } from '@grafana/ui';
import type { AuditFilter } from '../../api/types';
import { useAuditExportUrls } from '../../data/useAuditExport';

const FORMATS = ['csv', 'json'] as const;

/** Downloads of every entry matching the current filter (not only the loaded pages), streamed by the backend. */
export function ExportButtons({ filter, disabled }: { filter: AuditFilter; disabled?: boolean }) {
  const links = useAuditExportUrls(filter, FORMATS);
  return (
    <Stack gap={1}>
      {links.map(({ format, url }) => (
        <LinkButton key={format} href={url} download variant="secondary" icon="download-alt" disabled={disabled}>
          Export {format.toUpperCase()}
        </LinkButton>
      ))}
    </Stack>
  );
}
