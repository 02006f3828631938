import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { banInJail, getFail2banStatus, unbanInJail } from '../api/fail2ban';
import { queryKeys } from './queryKeys';

const STATUS_REFRESH_MS = 30_000;

interface JailAction {
  jail: string;
  ip: string;
  reason: string;
}

/** The jails of the backend's Fail2ban, or why it cannot be used; refreshed as failures and bans change. */
export function useFail2banStatus() {
  return useQuery({
    queryKey: queryKeys.fail2ban.status,
    queryFn: getFail2banStatus,
    refetchInterval: STATUS_REFRESH_MS,
  });
}

/** Admin: ban an address in one jail. */
export function useJailBan() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ jail, ip, reason }: JailAction) => banInJail(jail, ip, reason),
    meta: { successMessage: 'Address banned in the jail', errorMessage: 'Could not ban in the jail' },
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.fail2ban.all }),
  });
}

/** Admin: lift an address's ban in one jail. */
export function useJailUnban() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ jail, ip, reason }: JailAction) => unbanInJail(jail, ip, reason),
    meta: { successMessage: 'Address unbanned in the jail', errorMessage: 'Could not unban in the jail' },
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.fail2ban.all }),
  });
}
