import React from 'react';
import { EmptyState, LoadingPlaceholder, Stack } from '@grafana/ui';
import { QueryError } from '../../components/QueryError/QueryError';
import { WhitelistForm } from '../../components/WhitelistForm/WhitelistForm';
import { WhitelistTable } from '../../components/WhitelistTable/WhitelistTable';
import { useWhitelist } from '../../data/useWhitelist';

interface Props {
  canEdit: boolean;
  initialIp?: string;
}

/** The whitelist with its expiries; admins add and remove entries here. */
export function WhitelistSection({ canEdit, initialIp }: Props) {
  const { data, error, isLoading, refetch } = useWhitelist();
  let content: React.ReactNode;
  if (isLoading) {
    content = <LoadingPlaceholder text="Loading the whitelist…" />;
  } else if (error) {
    content = <QueryError title="Could not load the whitelist" error={error} onRetry={() => refetch()} />;
  } else if (!data || data.length === 0) {
    content = (
      <EmptyState variant="call-to-action" message="The whitelist is empty" hideImage>
        {canEdit
          ? 'Whitelist monitoring probes, office or partner addresses with the form above: they are never banned.'
          : 'An admin can whitelist addresses that must never be banned.'}
      </EmptyState>
    );
  } else {
    content = <WhitelistTable entries={data} canRemove={canEdit} />;
  }
  return (
    <Stack direction="column" gap={2}>
      {canEdit && <WhitelistForm initialIp={initialIp} />}
      {content}
    </Stack>
  );
}
