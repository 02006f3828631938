// A BackendSrv over window.fetch with Grafana's behaviour where plugins depend on it: URLs relative to <base href>,
// JSON bodies, FetchResponse objects, and FetchError objects ({status, data, …}) for statuses >= 400.
import { from, type Observable } from 'rxjs';
import { AppEvents } from '@grafana/data';
import {
  getAppEvents,
  type BackendSrv,
  type BackendSrvRequest,
  type FetchError,
  type FetchResponse,
} from '@grafana/runtime';

async function doFetch<T>(options: BackendSrvRequest): Promise<FetchResponse<T>> {
  const url = new URL(options.url.replace(/^\//, ''), document.baseURI);
  for (const [key, value] of Object.entries(options.params ?? {})) {
    if (value !== undefined && value !== null) {
      url.searchParams.set(key, String(value));
    }
  }
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  let body: BodyInit | undefined = options.data;
  if (options.data !== undefined && typeof options.data !== 'string' && !(options.data instanceof FormData)) {
    body = JSON.stringify(options.data);
    headers['Content-Type'] ??= 'application/json';
  }
  const res = await window.fetch(url.toString(), {
    method: options.method ?? 'GET',
    headers,
    body,
    credentials: 'same-origin',
  });
  const text = await res.text();
  let data: unknown = text;
  if (options.responseType !== 'text') {
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = text;
    }
  }
  const response: FetchResponse<T> = {
    data: data as T,
    status: res.status,
    statusText: res.statusText,
    ok: res.ok,
    headers: res.headers,
    redirected: res.redirected,
    type: res.type,
    url: res.url,
    config: options,
  };
  if (!res.ok) {
    const message = typeof data === 'object' && data !== null ? (data as { message?: string }).message : undefined;
    const error: FetchError = { ...response, message: message ?? res.statusText };
    if (options.showErrorAlert !== false) {
      getAppEvents().publish({ type: AppEvents.alertError.name, payload: [error.message] });
    }
    throw error;
  }
  return response;
}

const methods = (method: string) => (url: string, data?: unknown, options?: Partial<BackendSrvRequest>) =>
  doFetch({ ...options, url, data, method }).then((r) => r.data);

export const backendSrv = {
  fetch: <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> => from(doFetch<T>(options)),
  request: (options: BackendSrvRequest) => doFetch(options).then((r) => r.data),
  datasourceRequest: (options: BackendSrvRequest) => doFetch(options),
  get: (url: string, params?: BackendSrvRequest['params'], _requestId?: string, options?: Partial<BackendSrvRequest>) =>
    doFetch({ ...options, url, params, method: 'GET' }).then((r) => r.data),
  delete: methods('DELETE'),
  post: methods('POST'),
  patch: methods('PATCH'),
  put: methods('PUT'),
  resolveCancelerIfExists: () => {},
} as unknown as BackendSrv;
