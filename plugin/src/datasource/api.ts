import { lastValueFrom } from 'rxjs';
import { getBackendSrv, isFetchError } from '@grafana/runtime';

/** The proxy routes of plugin.json: `ready` (no token) and `api/…` (viewer token, GET only). */
export type RoutePath = 'ready' | `api/${string}`;

export type Params = Record<string, string | number | undefined>;

/** Grafana refused the proxy route to the signed-in user (its `reqRole`). */
export const ROLE_DENIED = 'Your Grafana role cannot query this data source.';

/** A failed call to the secops API, with a message that says what to fix. */
export class SecopsError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly data?: unknown
  ) {
    super(message);
    this.name = 'SecopsError';
  }
}

/**
 * GET through Grafana's data source proxy (`<instance url>/<route>/…`, i.e. /api/datasources/proxy/uid/<uid>/…):
 * Grafana adds the viewer token server-side, so the browser never holds it.
 */
export async function get<T>(baseUrl: string, path: RoutePath, params: Params = {}, requestId?: string): Promise<T> {
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<T>({
        url: `${baseUrl}/${path}`,
        method: 'GET',
        params: Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== '')),
        requestId,
        // Panels show query errors themselves; the test result is shown by the config page.
        showErrorAlert: false,
        showSuccessAlert: false,
      })
    );
    return response.data;
  } catch (err) {
    throw toSecopsError(err, path);
  }
}

function messageOf(data: unknown): string | undefined {
  if (typeof data === 'object' && data !== null && 'message' in data) {
    const { message } = data as { message: unknown };
    return typeof message === 'string' && message !== '' ? message : undefined;
  }
  return typeof data === 'string' && data !== '' ? data : undefined;
}

/** Maps what the data source proxy and the backend answer to a message for the person looking at the panel. */
export function toSecopsError(err: unknown, path: string): SecopsError {
  if (err instanceof SecopsError) {
    return err;
  }
  if (!isFetchError(err)) {
    return new SecopsError(err instanceof Error ? err.message : 'The request failed', 0);
  }
  const message = messageOf(err.data) ?? err.statusText ?? '';
  const make = (text: string) => new SecopsError(text, err.status, err.data);
  // Grafana's data source proxy turns an upstream 401 into 400 "Authentication to data source failed"
  // (pkg/api/pluginproxy/ds_proxy.go), so both mean the token was refused.
  if (err.status === 401 || /Authentication to data source failed/i.test(message)) {
    return make('The secops backend refused the viewer token of this data source. Check the token in its settings.');
  }
  switch (err.status) {
    case 0:
      return make('Grafana could not be reached. Check your network connection.');
    case 403:
      return /access denied/i.test(message)
        ? make(ROLE_DENIED)
        : make(message || 'The secops backend refused the request.');
    case 404:
      return make(`The secops backend has no /${path} (${message || 'not found'}).`);
    case 502:
    case 504:
      return make('The secops backend could not be reached at the backend URL of this data source.');
    default:
      return make(message || `The request failed with status ${err.status}.`);
  }
}
