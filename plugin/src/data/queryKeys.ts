import type { AuditFilter } from '../api/types';

/** Every react-query key in one place, so that invalidation after a mutation names what it touches. */
export const queryKeys = {
  audit: {
    all: ['audit'] as const,
    events: (filter: AuditFilter) => ['audit', 'events', filter] as const,
    event: (id: string) => ['audit', 'event', id] as const,
    entryVerification: (id: string) => ['audit', 'entry-verification', id] as const,
    checkpoint: ['audit', 'checkpoint'] as const,
  },
};
