import { useCallback } from 'react';
import { useIsFetching, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from './queryKeys';

const isOverviewQuery = (key: readonly unknown[]) =>
  key[0] === queryKeys.security.all[0] ||
  (key[0] === queryKeys.audit.integrity[0] && key[1] === queryKeys.audit.integrity[1]);

/** "Refresh now" for the Overview: every security query and the integrity status; and whether one is running. */
export function useRefreshOverview() {
  const client = useQueryClient();
  const fetching = useIsFetching({
    predicate: ({ queryKey }) => isOverviewQuery(queryKey),
  });
  const refresh = useCallback(() => {
    void client.invalidateQueries({ queryKey: queryKeys.security.all });
    void client.invalidateQueries({ queryKey: queryKeys.audit.integrity });
  }, [client]);
  return { refresh, isRefreshing: fetching > 0 };
}
