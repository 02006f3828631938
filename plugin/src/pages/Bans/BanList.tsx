import React from 'react';
import { Button, EmptyState, LoadingPlaceholder } from '@grafana/ui';
import type { BanState } from '../../api/types';
import { BansTable } from '../../components/BansTable/BansTable';
import { QueryError } from '../../components/QueryError/QueryError';
import { useBans } from '../../data/useBans';

interface Props {
  state: Extract<BanState, 'active' | 'history'>;
  /** An address or block the list is narrowed to; undefined for all. */
  ip?: string;
  canUnban: boolean;
  onClearFilter: () => void;
}

/** Active bans or the history, with loading, error and empty states. */
export function BanList({ state, ip, canUnban, onClearFilter }: Props) {
  const { data, error, isLoading, refetch, hasNextPage, fetchNextPage, isFetchingNextPage } = useBans({ state, ip });
  const what = state === 'active' ? 'active bans' : 'ban history';
  if (isLoading) {
    return <LoadingPlaceholder text={`Loading ${what}…`} />;
  }
  if (error) {
    return <QueryError title={`Could not load the ${what}`} error={error} onRetry={() => refetch()} />;
  }
  const bans = data?.pages.flatMap((page) => page.bans) ?? [];
  if (bans.length === 0) {
    return ip ? (
      <EmptyState
        variant="not-found"
        message={state === 'active' ? `No ban of ${ip} is in force` : `No ended ban of ${ip}`}
        button={
          <Button variant="secondary" onClick={onClearFilter}>
            Show all addresses
          </Button>
        }
      >
        {state === 'active' ? 'Ban it with the form above, or look at its history.' : 'It was never banned before.'}
      </EmptyState>
    ) : (
      <EmptyState
        variant="call-to-action"
        message={state === 'active' ? 'No ban is in force' : 'No ban has ended yet'}
        hideImage
      >
        {state === 'active'
          ? 'The auto-blocker bans addresses that break its rules; an admin can also ban one with the form above.'
          : 'Bans appear here once they expire or are lifted.'}
      </EmptyState>
    );
  }
  return (
    <BansTable
      bans={bans}
      variant={state}
      canUnban={canUnban}
      hasMore={Boolean(hasNextPage)}
      isLoadingMore={isFetchingNextPage}
      onLoadMore={() => fetchNextPage()}
    />
  );
}
