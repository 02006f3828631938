import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Access } from '../auth/roles';
import { authErrors, bearerSecurity } from '../schemas/common';
import { IngestStatusResponse } from '../schemas/ingest';

/** File ingestion, read-only: what each tailed log is doing. Needs the ingest plugin. */
const ingestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/status',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['ingest'],
        summary: 'Tailed log files: positions, sizes, lag, counts and the last error',
        security: bearerSecurity,
        response: { 200: IngestStatusResponse, ...authErrors },
      },
    },
    async () => app.ingest.status()
  );
};

export default ingestRoutes;
