import { lastValueFrom } from 'rxjs';
import { config, getBackendSrv, isFetchError } from '@grafana/runtime';
import { PROXY_BASE } from '../constants';

/**
 * The only place that talks HTTP. Every call goes through Grafana's plugin proxy (plugin.json `routes`), which
 * injects the backend token server-side, so the browser never holds one:
 * - `api/…`: the Viewer route (viewer token) to the backend's `/api/…`;
 * - `admin/…`: the Admin route (admin token) to the backend's `/api/…`;
 * - `ready`: the backend's readiness probe.
 */
export type ProxyPath = 'ready' | `api/${string}` | `admin/${string}`;

export type QueryParams = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  path: ProxyPath;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  params?: QueryParams;
  data?: unknown;
  /** `text` for non-JSON bodies (PEM); JSON otherwise. */
  responseType?: 'json' | 'text';
}

/** A failed call, with a message meant for the person looking at the page. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly requestId?: string,
    /** The response body, for callers that read more than the message (e.g. /ready's 503 report). */
    readonly data?: unknown
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Drops empty values, so an unset filter is absent rather than `?user=`. */
export function cleanParams(params: QueryParams = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') {
      continue;
    }
    out[key] = String(value);
  }
  return out;
}

/** URL of a proxied path for the browser itself (downloads): relative to Grafana's sub-path, never with a token. */
export function proxyUrl(path: ProxyPath, params?: QueryParams): string {
  const query = new URLSearchParams(cleanParams(params)).toString();
  return `${config.appSubUrl ?? ''}/${PROXY_BASE}/${path}${query ? `?${query}` : ''}`;
}

export async function request<T>({ path, ...options }: RequestOptions): Promise<T> {
  return fetchJson<T>(`${PROXY_BASE}/${path}`, options);
}

/** Grafana's own API (plugin settings), not proxied to the backend. */
export async function requestGrafana<T>(url: `api/${string}`, options: Omit<RequestOptions, 'path'> = {}): Promise<T> {
  return fetchJson<T>(url, options);
}

async function fetchJson<T>(
  url: string,
  { method = 'GET', params, data, responseType }: Omit<RequestOptions, 'path'>
): Promise<T> {
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<T>({
        url,
        method,
        params: cleanParams(params),
        data,
        responseType,
        // Pages show errors in place and mutations through react-query's meta: no second, generic toast.
        showErrorAlert: false,
        showSuccessAlert: false,
      })
    );
    return response.data;
  } catch (err) {
    throw toApiError(err);
  }
}

function messageOf(data: unknown): string | undefined {
  if (typeof data === 'object' && data !== null && 'message' in data) {
    const { message } = data as { message: unknown };
    return typeof message === 'string' && message !== '' ? message : undefined;
  }
  return typeof data === 'string' && data !== '' ? data : undefined;
}

function requestIdOf(data: unknown): string | undefined {
  if (typeof data === 'object' && data !== null && 'requestId' in data) {
    const { requestId } = data as { requestId: unknown };
    return typeof requestId === 'string' ? requestId : undefined;
  }
  return undefined;
}

/** Maps what Grafana's proxy and the backend answer to a message that says what to do. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) {
    return err;
  }
  if (!isFetchError(err)) {
    return new ApiError(err instanceof Error ? err.message : 'The request failed', 0);
  }
  const message = messageOf(err.data) ?? err.message ?? err.statusText ?? '';
  const make = (text: string) => new ApiError(text, err.status, requestIdOf(err.data), err.data);
  switch (err.status) {
    case 0:
      return make('Grafana could not be reached. Check your network connection.');
    case 401:
      return make(
        `The secops backend refused the token configured in the app settings (${message || 'unauthorized'}).`
      );
    case 403:
      return /plugin proxy route access denied/i.test(message)
        ? make('Your Grafana role does not allow this action.')
        : make(message || 'The secops backend refused this action.');
    case 502:
    case 504:
      // Grafana's proxy answers these without a message of its own when the backend cannot be reached; the backend's
      // own 502 (e.g. fail2ban-client failed) says what failed.
      return message && !/^(bad gateway|gateway timeout)$/i.test(message)
        ? make(message)
        : make('The secops backend could not be reached at the URL configured in the app settings.');
    default:
      return make(message || `The request failed with status ${err.status}.`);
  }
}
