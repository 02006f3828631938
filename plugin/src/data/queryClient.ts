import { MutationCache, QueryClient } from '@tanstack/react-query';
import { AppEvents } from '@grafana/data';
import { getAppEvents } from '@grafana/runtime';
import { ApiError } from '../api/client';

/** Toast texts a mutation declares in `meta`; shown here once, so no component publishes its own. */
export interface MutationMeta extends Record<string, unknown> {
  successMessage?: string;
  errorMessage?: string;
}

declare module '@tanstack/react-query' {
  interface Register {
    defaultError: Error;
    mutationMeta: MutationMeta;
  }
}

function publish(type: string, text: string): void {
  getAppEvents().publish({ type, payload: [text] });
}

/** A client error (4xx) will not go away by asking again. */
function shouldRetry(failureCount: number, error: Error): boolean {
  return !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failureCount < 2;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, refetchOnWindowFocus: false, staleTime: 10_000 },
      mutations: { retry: false },
    },
    mutationCache: new MutationCache({
      onSuccess: (_data, _variables, _context, mutation) => {
        if (mutation.meta?.successMessage) {
          publish(AppEvents.alertSuccess.name, mutation.meta.successMessage);
        }
      },
      onError: (error, _variables, _context, mutation) => {
        const prefix = mutation.meta?.errorMessage;
        publish(AppEvents.alertError.name, prefix ? `${prefix}: ${error.message}` : error.message);
      },
    }),
  });
}
