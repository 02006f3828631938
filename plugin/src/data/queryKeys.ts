import type { BansFilter } from '../api/bans';
import type { AuditFilter } from '../api/types';

/** Every react-query key in one place, so that invalidation after a mutation names what it touches. */
export const queryKeys = {
  audit: {
    all: ['audit'] as const,
    events: (filter: AuditFilter) => ['audit', 'events', filter] as const,
    event: (id: string) => ['audit', 'event', id] as const,
    entryVerification: (id: string) => ['audit', 'entry-verification', id] as const,
    checkpoint: ['audit', 'checkpoint'] as const,
    integrity: ['audit', 'integrity'] as const,
  },
  security: {
    all: ['security'] as const,
    stats: (windowSeconds: number) => ['security', 'stats', windowSeconds] as const,
    series: (windowSeconds: number, interval?: number) => ['security', 'series', windowSeconds, interval] as const,
    recentEvents: (limit: number) => ['security', 'events', 'recent', limit] as const,
  },
  bans: {
    all: ['bans'] as const,
    list: (filter: BansFilter) => ['bans', 'list', filter] as const,
  },
  whitelist: {
    all: ['whitelist'] as const,
  },
  fail2ban: {
    all: ['fail2ban'] as const,
    status: ['fail2ban', 'status'] as const,
  },
};
