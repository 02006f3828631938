import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { auditStats, DEFAULT_PAGE_SIZE, getAuditEvent, listAuditEvents, parseAuditFilter } from '../audit/query';
import { Access } from '../auth/roles';
import {
  AuditEventDetail,
  EventParams,
  ListEventsQuery,
  ListEventsResponse,
  StatsQuery,
  StatsResponse,
} from '../schemas/audit-read';
import { authErrors, bearerSecurity } from '../schemas/common';

const errorRef = { $ref: 'ErrorResponse' };

/** Reading the audit trail: filtered keyset pages, one entry with its canonical bytes, and counts. */
const auditReadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/events',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['audit'],
        summary: 'Audit entries matching the filters, newest first, one page at a time',
        security: bearerSecurity,
        querystring: ListEventsQuery,
        response: { 200: ListEventsResponse, 400: errorRef, ...authErrors },
      },
    },
    async (request) => {
      const { limit, cursor, ...filters } = request.query;
      return listAuditEvents(app.db, parseAuditFilter(filters), { limit: limit ?? DEFAULT_PAGE_SIZE, cursor });
    }
  );

  app.get(
    '/events/:id',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['audit'],
        summary: 'One audit entry, with the canonical bytes its leaf hash covers',
        security: bearerSecurity,
        params: EventParams,
        response: { 200: AuditEventDetail, 400: errorRef, 404: errorRef, ...authErrors },
      },
    },
    async (request, reply) => {
      const event = await getAuditEvent(app.db, request.params.id);
      if (!event) return reply.code(404).send({ message: `audit event ${request.params.id} not found` });
      return event;
    }
  );

  app.get(
    '/stats',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['audit'],
        summary: 'Entries and failures per UTC day, action or resource (default: the last 30 days per day)',
        security: bearerSecurity,
        querystring: StatsQuery,
        response: { 200: StatsResponse, 400: errorRef, ...authErrors },
      },
    },
    async (request) => {
      const { from, to, groupBy } = request.query;
      return { buckets: await auditStats(app.db, parseAuditFilter({ from, to }), groupBy ?? 'day') };
    }
  );
};

export default auditReadRoutes;
