/**
 * Turns one HTTP request/response into an audit event: who (token role and Grafana user), what (action
 * from the method, resource from the route pattern), and how it ended. No Fastify types here, so the
 * mapping is testable on its own.
 */
import type { AuditEventInput } from './entry';

export const ACTION_BY_METHOD: Readonly<Record<string, string>> = {
  GET: 'read',
  HEAD: 'read',
  POST: 'create',
  PUT: 'update',
  PATCH: 'update',
  DELETE: 'delete',
};

/** Bodies larger than this (as JSON) are recorded as a size only: the trail is evidence, not a data store. */
export const MAX_CAPTURED_BODY_BYTES = 8192;

export interface CapturedRequest {
  method: string;
  /** URL as received, with the query string. */
  url: string;
  /** Route pattern, undefined when no route matched. */
  route: string | undefined;
  params: Record<string, unknown>;
  query: unknown;
  body: unknown;
  ip: string;
  userAgent: string | undefined;
  user: string | undefined;
  role: string | undefined;
  requestId: string;
  statusCode: number;
  responseTimeMs: number;
  errorMessage: string | undefined;
}

export function isExcluded(path: string, excludePaths: readonly string[]): boolean {
  return excludePaths.some(
    (prefix) => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`)
  );
}

function capturedBody(body: unknown): unknown {
  if (body === undefined || body === null) return undefined;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  if (text === undefined) return undefined;
  const bytes = Buffer.byteLength(text);
  return bytes > MAX_CAPTURED_BODY_BYTES ? { truncated: true, bytes } : typeof body === 'string' ? text : body;
}

export function toAuditEvent(req: CapturedRequest): AuditEventInput {
  const queryAt = req.url.indexOf('?');
  const path = queryAt === -1 ? req.url : req.url.slice(0, queryAt);
  const firstParam = Object.values(req.params)[0];
  const query = req.query && typeof req.query === 'object' && Object.keys(req.query).length > 0 ? req.query : undefined;
  return {
    username: req.user,
    userId: req.user,
    action: ACTION_BY_METHOD[req.method] ?? req.method.toLowerCase(),
    resource: req.route ?? 'unmatched',
    resourceId: typeof firstParam === 'string' ? firstParam.slice(0, 256) : undefined,
    method: req.method,
    path: path.slice(0, 2048),
    query: query as Record<string, unknown> | undefined,
    body: capturedBody(req.body),
    ip: req.ip,
    userAgent: req.userAgent?.slice(0, 1024),
    status: req.statusCode < 400 ? 'success' : 'failure',
    statusCode: req.statusCode,
    responseTime: Math.round(req.responseTimeMs * 1000) / 1000,
    errorMessage: req.errorMessage?.slice(0, 4096),
    metadata: { requestId: req.requestId, ...(req.role === undefined ? {} : { role: req.role }) },
  };
}
