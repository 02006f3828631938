import { useQuery } from '@tanstack/react-query';
import { getAuditIntegrity } from '../api/audit';
import { queryKeys } from './queryKeys';

/** The audit trail's integrity status (latest whole-trail verification), fetched again every `refetchInterval` ms. */
export function useAuditIntegrity(refetchInterval: number | false) {
  return useQuery({
    queryKey: queryKeys.audit.integrity,
    queryFn: getAuditIntegrity,
    refetchInterval,
  });
}
