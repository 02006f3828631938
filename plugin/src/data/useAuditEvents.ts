import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { getAuditEvent, listAuditEvents } from '../api/audit';
import type { AuditFilter } from '../api/types';
import { queryKeys } from './queryKeys';

export const AUDIT_PAGE_SIZE = 100;

/** Keyset pages of the entries matching `filter`, newest first; `fetchNextPage` follows `nextCursor`. */
export function useAuditEvents(filter: AuditFilter, enabled = true) {
  return useInfiniteQuery({
    enabled,
    queryKey: queryKeys.audit.events(filter),
    queryFn: ({ pageParam }) => listAuditEvents(filter, pageParam, AUDIT_PAGE_SIZE),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useAuditEvent(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.audit.event(id ?? ''),
    queryFn: () => getAuditEvent(id as string),
    enabled: Boolean(id),
  });
}
