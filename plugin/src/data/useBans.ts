import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { banAddress, listBans, unbanAddress, type BansFilter } from '../api/bans';
import type { ManualBanBody } from '../api/types';
import { queryKeys } from './queryKeys';

export const BANS_PAGE_SIZE = 100;
/** Active bans end by themselves: refresh so that expired ones leave the list and new automatic ones appear. */
const ACTIVE_REFRESH_MS = 30_000;

/** Keyset pages of bans (active or history), newest first; `fetchNextPage` follows `nextCursor`. */
export function useBans(filter: BansFilter, enabled = true) {
  return useInfiniteQuery({
    enabled,
    queryKey: queryKeys.bans.list(filter),
    queryFn: ({ pageParam }) => listBans(filter, pageParam, BANS_PAGE_SIZE),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    refetchInterval: filter.state === 'active' ? ACTIVE_REFRESH_MS : false,
  });
}

/** Admin: ban an address or block; the lists are read again. */
export function useBanAddress() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ManualBanBody) => banAddress(body),
    meta: { successMessage: 'Address banned', errorMessage: 'Could not ban the address' },
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.bans.all }),
  });
}

/** Admin: lift the ban in force of an address or block, with the reason recorded in the audit trail. */
export function useUnbanAddress() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ ip, reason }: { ip: string; reason: string }) => unbanAddress(ip, reason),
    meta: { successMessage: 'Ban lifted', errorMessage: 'Could not lift the ban' },
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.bans.all }),
  });
}
