import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Access } from '../auth/roles';

/** Prometheus scrape endpoint (text exposition format 0.0.4). */
const metricsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/metrics',
    {
      config: { access: Access.metrics, rateLimit: false },
      schema: {
        tags: ['system'],
        summary: 'Prometheus metrics (bearer METRICS_TOKEN when one is configured)',
        produces: ['text/plain'],
        response: { 200: Type.String() },
      },
    },
    async (_request, reply) => {
      const text = await app.metrics.registry.metrics();
      return reply.type(app.metrics.registry.contentType).send(text);
    }
  );
};

export default metricsRoutes;
