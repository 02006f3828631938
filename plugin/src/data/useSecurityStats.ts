import { useQuery } from '@tanstack/react-query';
import { getSecurityStats } from '../api/security';
import { queryKeys } from './queryKeys';

/** Counts over the last `windowSeconds`, fetched again every `refetchInterval` ms (false: paused). */
export function useSecurityStats(windowSeconds: number, refetchInterval: number | false) {
  return useQuery({
    queryKey: queryKeys.security.stats(windowSeconds),
    queryFn: () => getSecurityStats({ seconds: windowSeconds }),
    refetchInterval,
  });
}
