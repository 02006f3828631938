import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Access } from '../auth/roles';
import { migrationStatus } from '../db/migrate';
import { packageVersion } from '../package-info';
import { HealthResponse, ReadyResponse } from '../schemas/system';

/** Liveness and readiness probes, open without a token (Kubernetes, load balancers, Docker healthchecks). */
const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const version = packageVersion();

  app.get(
    '/health',
    {
      config: { access: Access.public, rateLimit: false },
      schema: {
        tags: ['system'],
        summary: 'Liveness: the process is up and serving HTTP',
        response: { 200: HealthResponse },
      },
    },
    async () => ({ status: 'ok' as const, version, uptimeSeconds: Math.round(process.uptime()) })
  );

  app.get(
    '/ready',
    {
      config: { access: Access.public, rateLimit: false },
      schema: {
        tags: ['system'],
        summary: 'Readiness: the database answers and every migration is applied',
        response: { 200: ReadyResponse, 503: ReadyResponse },
      },
    },
    async (request, reply) => {
      const body: ReadyResponse = {
        status: 'ready',
        database: { kind: app.db.kind, reachable: true },
        migrations: { applied: 0, pending: [] },
      };
      try {
        const status = await migrationStatus(app.db);
        body.migrations = {
          applied: status.applied.length,
          pending: status.pending.map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`),
        };
        if (status.pending.length > 0) body.status = 'not_ready';
      } catch (err) {
        request.log.warn({ err }, 'readiness check failed');
        body.status = 'not_ready';
        body.database.reachable = false;
        body.database.error = (err as Error).message;
      }
      return reply.code(body.status === 'ready' ? 200 : 503).send(body);
    }
  );
};

export default healthRoutes;
