import { useQuery } from '@tanstack/react-query';
import { getEventSeries } from '../api/security';
import { queryKeys } from './queryKeys';

/** Events per type per bucket over the last `windowSeconds`, fetched again every `refetchInterval` ms. */
export function useEventSeries(windowSeconds: number, refetchInterval: number | false, interval?: number) {
  return useQuery({
    queryKey: queryKeys.security.series(windowSeconds, interval),
    queryFn: () => getEventSeries({ seconds: windowSeconds }, interval),
    refetchInterval,
  });
}
