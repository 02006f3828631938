import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Access } from '../auth/roles';
import { BadRequestError } from '../errors';
import { authErrors, bearerSecurity } from '../schemas/common';
import {
  EventIdParams,
  SecurityEventRecordSchema,
  SecurityEventsQuery,
  SecurityEventsResponse,
  SecurityIngestBody,
  SecurityIngestResponse,
  SecuritySeriesQuery,
  SecuritySeriesResponse,
  SecurityStatsQuery,
  SecurityStatsResponse,
} from '../schemas/security';
import { banCounts } from '../security/ban-query';
import {
  countEvents,
  DEFAULT_EVENT_PAGE,
  getSecurityEvent,
  listSecurityEvents,
  parseEventFilter,
} from '../security/event-query';
import { eventBatchBody, eventsOf } from '../security/event-body';
import { eventSeries, MAX_SERIES_BUCKETS, seriesInterval } from '../security/event-series';
import { unlessUnavailable } from './security-common';

const errorRef = { $ref: 'ErrorResponse' };
const DAY_MS = 86_400_000;
/** Room per event in a request body: events are mostly a few hundred bytes (the scanner bounds each field). */
const BODY_BYTES_PER_EVENT = 512;

/** Security events in (batches through the auto-blocker) and out (filtered pages, one event, stats, series). */
const securityEventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { maxBatchSize } = app.security.options.config.settings;
  // Event batches are validated from their bytes by the SOAR event scanner, not parsed by JSON.parse first
  // (security/event-body.ts); only POST /events of this plugin has a body.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, eventBatchBody(body as Buffer, maxBatchSize));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.post(
    '/events',
    {
      config: { access: Access.ingest },
      bodyLimit: Math.max(app.config.server.bodyLimitBytes, maxBatchSize * BODY_BYTES_PER_EVENT),
      // The parser above validated every event (naming its index and field); the body schema documents the shape.
      validatorCompiler: () => () => true,
      schema: {
        tags: ['security'],
        summary: 'Run a batch of security events through the auto-blocker; answers after they are committed',
        description:
          'All or nothing: an invalid event gets 400 naming its index and field, and nothing of the batch is processed. ' +
          'The answer counts what became of the events and lists the decisions (bans, alerts) they caused.',
        security: bearerSecurity,
        body: SecurityIngestBody,
        response: { 200: SecurityIngestResponse, 400: errorRef, 503: errorRef, ...authErrors },
      },
    },
    async (request, reply) =>
      // Events are made from the bytes when the batch's turn comes (an invalid one still fails it before any is run).
      unlessUnavailable(reply, () => app.security.ingest(() => eventsOf(request.body), { source: 'api' }))
  );

  app.get(
    '/events',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['security'],
        summary: 'Security events matching the filters, newest first (event time), one page at a time',
        security: bearerSecurity,
        querystring: SecurityEventsQuery,
        response: { 200: SecurityEventsResponse, 400: errorRef, ...authErrors },
      },
    },
    async (request) => {
      const { limit, cursor, ...filters } = request.query;
      return listSecurityEvents(app.db, parseEventFilter(filters), { limit: limit ?? DEFAULT_EVENT_PAGE, cursor });
    }
  );

  app.get(
    '/events/:id',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['security'],
        summary: 'One security event',
        security: bearerSecurity,
        params: EventIdParams,
        response: { 200: SecurityEventRecordSchema, 400: errorRef, 404: errorRef, ...authErrors },
      },
    },
    async (request, reply) => {
      const event = await getSecurityEvent(app.db, request.params.id);
      if (!event) return reply.code(404).send({ message: `security event ${request.params.id} not found` });
      return event;
    }
  );

  app.get(
    '/stats',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['security'],
        summary: 'Events per type and severity over a window (default: the last 24 hours), bans and top addresses',
        security: bearerSecurity,
        querystring: SecurityStatsQuery,
        response: { 200: SecurityStatsResponse, 400: errorRef, ...authErrors },
      },
    },
    async (request) => {
      const filter = parseEventFilter({ from: request.query.from, to: request.query.to });
      const to = filter.to ?? new Date();
      const from = filter.from ?? new Date(to.getTime() - DAY_MS);
      if (from > to) throw new BadRequestError('from must not be after to');
      const [events, bans] = await Promise.all([countEvents(app.db, from, to), banCounts(app.db)]);
      const byType = new Map<string, number>();
      const bySeverity = new Map<string, number>();
      let total = 0;
      for (const { type, severity, count } of events.counts) {
        byType.set(type, (byType.get(type) ?? 0) + count);
        bySeverity.set(severity, (bySeverity.get(severity) ?? 0) + count);
        total += count;
      }
      const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        total,
        byType: sorted(byType).map(([type, count]) => ({ type, count })),
        bySeverity: sorted(bySeverity).map(([severity, count]) => ({ severity, count })),
        counts: events.counts,
        activeBans: bans.active,
        blockedIps24h: bans.blockedIps24h,
        topIps: events.topIps,
      };
    }
  );

  app.get(
    '/stats/series',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['security'],
        summary: 'Events per type per time bucket over a window (default: the last 24 hours), every bucket present',
        description:
          'Buckets start at whole multiples of the interval since the Unix epoch (UTC); only events between from ' +
          `and to are counted. At most ${MAX_SERIES_BUCKETS} buckets: a longer range needs a wider interval (400).`,
        security: bearerSecurity,
        querystring: SecuritySeriesQuery,
        response: { 200: SecuritySeriesResponse, 400: errorRef, ...authErrors },
      },
    },
    async (request) => {
      const filter = parseEventFilter({ from: request.query.from, to: request.query.to });
      const to = filter.to ?? new Date();
      const from = filter.from ?? new Date(to.getTime() - DAY_MS);
      return eventSeries(app.db, from, to, seriesInterval(from, to, request.query.interval));
    }
  );
};

export default securityEventRoutes;
