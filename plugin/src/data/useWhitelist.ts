import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { addWhitelistEntry, listWhitelist, removeWhitelistEntry } from '../api/bans';
import type { WhitelistAddBody } from '../api/types';
import { queryKeys } from './queryKeys';

export function useWhitelist() {
  return useQuery({ queryKey: queryKeys.whitelist.all, queryFn: listWhitelist });
}

/** Admin: whitelist an address or block; bans in force inside it are lifted, so the bans are read again too. */
export function useAddWhitelistEntry() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: WhitelistAddBody) => addWhitelistEntry(body),
    meta: { successMessage: 'Added to the whitelist', errorMessage: 'Could not add to the whitelist' },
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: queryKeys.whitelist.all }),
        client.invalidateQueries({ queryKey: queryKeys.bans.all }),
      ]),
  });
}

/** Admin: remove an entry added through the API. */
export function useRemoveWhitelistEntry() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ ip, reason }: { ip: string; reason: string }) => removeWhitelistEntry(ip, reason),
    meta: { successMessage: 'Removed from the whitelist', errorMessage: 'Could not remove the whitelist entry' },
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.whitelist.all }),
  });
}
