import React from 'react';
import { Button, EmptyState, LoadingPlaceholder } from '@grafana/ui';
import type { AuditFilter } from '../../api/types';
import { AuditTable } from '../../components/AuditTable/AuditTable';
import { QueryError } from '../../components/QueryError/QueryError';
import { useAuditEvents } from '../../data/useAuditEvents';

interface Props {
  filter: AuditFilter;
  enabled: boolean;
  isFiltered: boolean;
  onClearFilters: () => void;
  onSelect: (id: string) => void;
}

/** The table of matching entries with its loading, error and empty states. */
export function AuditEvents({ filter, enabled, isFiltered, onClearFilters, onSelect }: Props) {
  const { data, error, isLoading, refetch, hasNextPage, fetchNextPage, isFetchingNextPage } = useAuditEvents(
    filter,
    enabled
  );
  if (!enabled) {
    return null;
  }
  if (isLoading) {
    return <LoadingPlaceholder text="Loading audit entries…" />;
  }
  if (error) {
    return <QueryError title="Could not load the audit log" error={error} onRetry={() => refetch()} />;
  }
  const events = data?.pages.flatMap((page) => page.events) ?? [];
  if (events.length === 0) {
    return isFiltered ? (
      <EmptyState
        variant="not-found"
        message="No audit entries match these filters"
        button={
          <Button variant="secondary" onClick={onClearFilters}>
            Clear filters
          </Button>
        }
      >
        Widen the date range or remove a filter.
      </EmptyState>
    ) : (
      <EmptyState variant="call-to-action" message="The audit trail is empty" hideImage>
        Applications record events with POST /api/audit/events and the ingest token; actions taken in this app are
        recorded too.
      </EmptyState>
    );
  }
  return (
    <AuditTable
      events={events}
      hasMore={Boolean(hasNextPage)}
      isLoadingMore={isFetchingNextPage}
      onLoadMore={() => fetchNextPage()}
      onSelect={onSelect}
    />
  );
}
