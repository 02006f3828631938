import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { Tokens } from './auth/tokens';
import type { Config } from './config';
import type { Database } from './db';
import type { IngestSink } from './ingest/types';
import { createLogger } from './logging';
import { packageVersion } from './package-info';
import auditPlugin from './plugins/audit';
import authPlugin from './plugins/auth';
import dbPlugin from './plugins/db';
import instancePlugin from './plugins/instance';
import metricsPlugin, { UNMATCHED_ROUTE } from './plugins/metrics';
import requestLogPlugin from './plugins/request-log';
import ingestPlugin from './plugins/ingest';
import securityPlugin from './plugins/security';
import alertmanagerRoutes from './routes/alertmanager';
import auditRoutes from './routes/audit';
import auditExportRoutes from './routes/audit-export';
import auditIntegrityRoutes from './routes/audit-integrity';
import auditProofRoutes from './routes/audit-proof';
import auditReadRoutes from './routes/audit-read';
import fail2banRoutes from './routes/fail2ban';
import healthRoutes from './routes/health';
import ingestRoutes from './routes/ingest';
import metricsRoutes from './routes/metrics';
import securityBanRoutes from './routes/security-bans';
import securityEventRoutes from './routes/security-events';
import soarRoutes from './routes/soar';
import systemRoutes from './routes/system';
import { ErrorResponse } from './schemas/common';

export interface AppOptions {
  config: Config;
  db: Database;
  tokens: Tokens;
  /** A pino logger to use; `false` disables logging. Default: JSON to stdout at `config.logLevel`. */
  logger?: Logger | false;
  /** How often this process refreshes its row in `instances`. */
  heartbeatMs?: number;
  /** Where tailed log files' events go; default: the security pipeline (`app.security.ingest`). */
  ingestSink?: IngestSink;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Builds the API: external plugins, then ours, then routes, then the error and not-found handlers.
 * The caller owns the database and the listening socket (see server.ts); tests use `inject`.
 */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const app = Fastify({
    loggerInstance: (opts.logger === false
      ? createLogger('silent')
      : (opts.logger ?? createLogger(config.logLevel))) as FastifyBaseLogger,
    // request-log writes one line per request instead of Fastify's two
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: config.server.requestTimeoutMs,
    connectionTimeout: config.server.requestTimeoutMs,
    keepAliveTimeout: config.server.keepAliveTimeoutMs,
    bodyLimit: config.server.bodyLimitBytes,
    trustProxy: config.server.trustProxy,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    requestIdHeader: false,
    genReqId: (req) => {
      const header = req.headers['x-request-id'];
      return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('config', config);
  app.addSchema(ErrorResponse);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // External plugins
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Cartae Security Ops API',
        version: packageVersion(),
        description:
          'Audit trail, SOAR, Fail2ban control and incident playbooks. Every /api route takes a bearer token ' +
          'of role viewer (reads), admin (everything) or ingest (submitting events).',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      tags: [
        { name: 'system', description: 'Health, readiness, metrics and service information' },
        { name: 'audit', description: 'Tamper-evident audit trail' },
        { name: 'security', description: 'Security events, manual bans and the live stream of events and decisions' },
        { name: 'soar', description: 'Auto-blocker: bans, whitelist, rules and reported infractions' },
        { name: 'fail2ban', description: 'Fail2ban jails, bans and the bans Fail2ban hosts report' },
        { name: 'ingest', description: 'Security event log files followed by the backend' },
      ],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });

  await app.register(dbPlugin, { db: opts.db });
  await app.register(metricsPlugin);
  // Registered before auth so that its per-route hook runs first (see plugins/auth.ts).
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowMs,
    allowList: (request) => !request.url.startsWith('/api/') || config.rateLimit.allowList.includes(request.ip),
    onExceeded: (request) => {
      app.metrics.httpRateLimited.inc({ method: request.method, route: request.routeOptions.url ?? UNMATCHED_ROUTE });
    },
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      message: `rate limit exceeded (${context.max} requests per ${context.after}); retry in ${Math.max(1, Math.ceil(context.ttl / 1000))} s`,
    }),
  });
  await app.register(authPlugin, { tokens: opts.tokens, metricsToken: config.auth.metricsToken });
  await app.register(requestLogPlugin);
  await app.register(instancePlugin, { heartbeatMs: opts.heartbeatMs });
  await app.register(auditPlugin);
  await app.register(securityPlugin);
  // After the pipeline it feeds, so that it stops first on close.
  await app.register(ingestPlugin, {
    sink:
      opts.ingestSink ??
      (async (events, meta) => {
        await app.security.ingest(events, { source: `file:${meta.path}` });
      }),
  });

  // Handlers before routes: encapsulated route plugins inherit the handlers set when they are registered.
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err, route: request.routeOptions.url }, 'request failed');
      return reply.code(status).send({ message: 'Internal Server Error', requestId: request.id });
    }
    return reply.code(status).send({ message: err.message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ message: `no route ${request.method} ${request.url.split('?')[0]}` })
  );

  // Routes
  await app.register(healthRoutes);
  await app.register(metricsRoutes);
  await app.register(systemRoutes, { prefix: '/api/system' });
  await app.register(auditRoutes, { prefix: '/api/audit' });
  await app.register(auditProofRoutes, { prefix: '/api/audit' });
  await app.register(auditIntegrityRoutes, { prefix: '/api/audit' });
  await app.register(auditReadRoutes, { prefix: '/api/audit' });
  await app.register(auditExportRoutes, { prefix: '/api/audit' });
  await app.register(securityEventRoutes, { prefix: '/api/security' });
  await app.register(securityBanRoutes, { prefix: '/api/security' });
  await app.register(soarRoutes, { prefix: '/api/soar' });
  await app.register(alertmanagerRoutes, { prefix: '/api/soar' });
  await app.register(fail2banRoutes, { prefix: '/api/fail2ban' });
  await app.register(ingestRoutes, { prefix: '/api/ingest' });
  app.get('/openapi.json', { schema: { hide: true }, config: { access: 'public', rateLimit: false } }, async () =>
    app.swagger()
  );

  return app;
}
