import type { TestDataSourceResponse } from '@grafana/data';
import type { ReadyResponse, SessionResponse } from '../../../backend/src/schemas/system';
import { get, ROLE_DENIED, SecopsError } from './api';

const isReady = (data: unknown): data is ReadyResponse =>
  typeof data === 'object' && data !== null && 'status' in data && 'database' in data && 'migrations' in data;

const fail = (message: string): TestDataSourceResponse => ({ status: 'error', message });

function notReady({ database, migrations }: ReadyResponse): string {
  if (!database.reachable) {
    return `its ${database.kind} database is unreachable${database.error ? ` (${database.error})` : ''}`;
  }
  return migrations.pending.length > 0
    ? `migrations are pending: ${migrations.pending.join(', ')}`
    : 'it says it is not ready';
}

/**
 * "Save & test": the backend's readiness through the `ready` route, then the API through the `api` route with the
 * viewer token (`/api/system/session` tells which role the token has). Each failure says what to fix.
 */
export async function checkConnection(proxyUrl: string, backendUrl: string): Promise<TestDataSourceResponse> {
  if (!backendUrl) {
    return fail('Set the backend URL: where the Grafana server reaches the secops API, e.g. http://backend:3010.');
  }
  let ready: ReadyResponse;
  try {
    ready = await get<ReadyResponse>(proxyUrl, 'ready');
  } catch (err) {
    // A 503 still carries the readiness report.
    if (err instanceof SecopsError && err.status === 503 && isReady(err.data)) {
      ready = err.data;
    } else {
      return fail(`The secops backend at ${backendUrl} did not answer /ready: ${(err as Error).message}`);
    }
  }
  if (ready.status !== 'ready') {
    return fail(`The secops backend at ${backendUrl} is not ready: ${notReady(ready)}.`);
  }
  let session: SessionResponse;
  try {
    session = await get<SessionResponse>(proxyUrl, 'api/system/session');
  } catch (err) {
    if (err instanceof SecopsError && err.status === 403 && err.message !== ROLE_DENIED) {
      return fail('The token of this data source may not read the API: set the viewer token (SECOPS_VIEWER_TOKEN).');
    }
    return fail(`The secops backend is ready, but its API refused the request: ${(err as Error).message}`);
  }
  if (session.role === 'admin') {
    return {
      status: 'success',
      message:
        'Connected, but with the admin token: a data source only reads, give it the viewer token (SECOPS_VIEWER_TOKEN).',
    };
  }
  return { status: 'success', message: `Connected to the secops backend at ${backendUrl} as ${session.role}.` };
}
