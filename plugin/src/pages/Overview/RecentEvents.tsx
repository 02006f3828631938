import React from 'react';
import { LoadingPlaceholder } from '@grafana/ui';
import { QueryError } from '../../components/QueryError/QueryError';
import { SecurityEventsTable } from '../../components/SecurityEventsTable/SecurityEventsTable';
import { useRecentSecurityEvents } from '../../data/useRecentSecurityEvents';
import { NoEvents } from './NoEvents';

export const RECENT_EVENTS = 20;

/** The newest security events, whatever their age. */
export function RecentEvents({ refetchInterval }: { refetchInterval: number | false }) {
  const { data, error, isLoading, refetch } = useRecentSecurityEvents(RECENT_EVENTS, refetchInterval);
  if (isLoading) {
    return <LoadingPlaceholder text="Loading the recent events…" />;
  }
  if (error) {
    return <QueryError title="Could not load the recent security events" error={error} onRetry={() => refetch()} />;
  }
  if (!data || data.events.length === 0) {
    return <NoEvents message="No security events yet" />;
  }
  return <SecurityEventsTable events={data.events} />;
}
