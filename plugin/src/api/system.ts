import { ApiError, request } from './client';
import type { ReadyResponse, SessionResponse } from './types';

/** The backend's readiness report; a 503 still carries one (database down, migrations pending). */
export async function getReady(): Promise<ReadyResponse> {
  try {
    return await request<ReadyResponse>({ path: 'ready' });
  } catch (err) {
    if (err instanceof ApiError && err.status === 503 && isReadyResponse(err.data)) {
      return err.data;
    }
    throw err;
  }
}

/** Which role the token behind a proxy route has, as the backend sees it. */
export function getSession(route: 'api' | 'admin'): Promise<SessionResponse> {
  return request<SessionResponse>({ path: `${route}/system/session` });
}

function isReadyResponse(data: unknown): data is ReadyResponse {
  return typeof data === 'object' && data !== null && 'status' in data && 'database' in data;
}
