import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access, roleAllows, type Role } from '../auth/roles';
import { secretEquals, TokenMatcher, type Tokens } from '../auth/tokens';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; see `Access`. Routes under /api that do not say are admin-only. */
    access?: Access;
  }
  interface FastifyRequest {
    /** The caller, once its token was accepted. */
    principal: Principal | null;
  }
}

export interface Principal {
  role: Role;
  /** The Grafana user behind the call when Grafana's proxy says so, else `token:<role>`. */
  user: string;
}

export interface AuthPluginOptions {
  tokens: Tokens;
  metricsToken?: string;
}

const MAX_USER_LENGTH = 128;

/** Keeps a header-supplied user name printable and short, so it is safe in logs and the audit trail. */
function cleanUser(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const cleaned = value.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return cleaned === '' ? undefined : cleaned.slice(0, MAX_USER_LENGTH);
}

/**
 * The Grafana user, from the headers Grafana's plugin proxy sets (CONTRACTS §5.3). Trusted only
 * because the request also carried a valid token that only Grafana holds.
 */
export function grafanaUser(request: FastifyRequest): string | undefined {
  const direct = cleanUser(request.headers['x-grafana-user']);
  if (direct !== undefined) return direct;
  const context = request.headers['x-grafana-context'];
  if (typeof context !== 'string' || context.length > 16_384) return undefined;
  try {
    const parsed = JSON.parse(context) as { Login?: unknown; login?: unknown };
    return cleanUser(parsed.Login ?? parsed.login);
  } catch {
    return undefined;
  }
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function deny(reply: FastifyReply, status: 401 | 403, message: string): FastifyReply {
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="cartae-secops"');
  return reply.code(status).send({ message });
}

/**
 * Bearer-token authentication and role checks, failing closed: a route under /api that does not
 * declare `config.access` is admin-only. The check is added to each route as it is registered, after
 * the rate limiter's hook, so floods of bad tokens are rate limited too.
 */
export default fp<AuthPluginOptions>(
  async (app, opts) => {
    const matcher = new TokenMatcher(opts.tokens);
    app.decorateRequest('principal', null);

    app.addHook('onRoute', (route) => {
      const access = route.config?.access ?? (route.url.startsWith('/docs') ? Access.public : Access.admin);
      if (access === Access.public) return;

      const check = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
        const presented = bearer(request);
        if (access === Access.metrics) {
          if (opts.metricsToken === undefined) return;
          if (presented !== undefined && secretEquals(opts.metricsToken, presented)) return;
        }
        if (presented === undefined)
          return void deny(reply, 401, 'missing bearer token (Authorization: Bearer <token>)');
        const role = matcher.match(presented);
        if (role === undefined) return void deny(reply, 401, 'invalid token');
        request.principal = { role, user: grafanaUser(request) ?? `token:${role}` };
        if (!roleAllows(role, access)) {
          return void deny(reply, 403, `this route requires the ${access} role; the token has the ${role} role`);
        }
      };
      const existing =
        route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
      route.onRequest = [...existing, check];
    });
  },
  { name: 'auth' }
);

/** The authenticated caller of a route that is not public (the auth hook guarantees one). */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new Error('route reached without an authenticated principal');
  return request.principal;
}
