import { useMutation } from '@tanstack/react-query';
import { getReady, getSession } from '../api/system';
import type { ReadyResponse, SessionResponse } from '../api/types';

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

export interface ConnectionReport {
  ready: Outcome<ReadyResponse>;
  viewer: Outcome<SessionResponse>;
  admin: Outcome<SessionResponse>;
}

async function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * "Test connection", through the saved settings: the backend's /ready, then each proxy route, to show which role
 * each configured token really has.
 */
export function useConnectionTest() {
  return useMutation({
    mutationFn: async (): Promise<ConnectionReport> => {
      const [ready, viewer, admin] = await Promise.all([
        settle(getReady()),
        settle(getSession('api')),
        settle(getSession('admin')),
      ]);
      return { ready, viewer, admin };
    },
  });
}
