import { useQuery } from '@tanstack/react-query';
import { listRecentSecurityEvents } from '../api/security';
import { queryKeys } from './queryKeys';

/** The `limit` newest security events, fetched again every `refetchInterval` ms (false: paused). */
export function useRecentSecurityEvents(limit: number, refetchInterval: number | false) {
  return useQuery({
    queryKey: queryKeys.security.recentEvents(limit),
    queryFn: () => listRecentSecurityEvents(limit),
    refetchInterval,
  });
}
