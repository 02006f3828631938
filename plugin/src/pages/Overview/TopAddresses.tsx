import React from 'react';
import { LoadingPlaceholder } from '@grafana/ui';
import { QueryError } from '../../components/QueryError/QueryError';
import { TopAddressesTable } from '../../components/TopAddressesTable/TopAddressesTable';
import { useSecurityStats } from '../../data/useSecurityStats';
import { NoEvents } from './NoEvents';

interface Props {
  windowSeconds: number;
  refetchInterval: number | false;
}

/** The addresses with the most events over the window (the same query as the headline numbers). */
export function TopAddresses({ windowSeconds, refetchInterval }: Props) {
  const { data, error, isLoading, refetch } = useSecurityStats(windowSeconds, refetchInterval);
  if (isLoading) {
    return <LoadingPlaceholder text="Loading the top addresses…" />;
  }
  if (error) {
    return <QueryError title="Could not load the top addresses" error={error} onRetry={() => refetch()} />;
  }
  if (!data || data.topIps.length === 0) {
    return <NoEvents message="No attacking addresses in the last 24 hours" />;
  }
  return <TopAddressesTable addresses={data.topIps} />;
}
