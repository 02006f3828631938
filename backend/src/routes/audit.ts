import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { BadRequestError, ConflictError } from '../errors';
import { AuditInputError, type AuditEventInput } from '../audit/entry';
import { Access } from '../auth/roles';
import { AuditEventSchema, IngestBody, IngestResponse } from '../schemas/audit';
import { authErrors, bearerSecurity } from '../schemas/common';

const checkEvent = TypeCompiler.Compile(AuditEventSchema);

/** Validates each event so the error names its index and field; nothing is written when one is invalid. */
function validateBatch(events: unknown[], maxBatchSize: number): AuditEventInput[] {
  if (events.length === 0) throw new BadRequestError('events must contain at least one event');
  if (events.length > maxBatchSize) {
    throw new BadRequestError(`events has ${events.length} events; at most ${maxBatchSize} are accepted per request`);
  }
  events.forEach((event, index) => {
    if (checkEvent.Check(event)) return; // the compiled check is fast; errors are only worked out for a bad event
    const error = checkEvent.Errors(event).First();
    if (error) {
      const field = error.path.replace(/^\//, '').replace(/\//g, '.');
      throw new BadRequestError(`events[${index}]${field ? `.${field}` : ''}: ${error.message.toLowerCase()}`);
    }
  });
  return events as AuditEventInput[];
}

const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/events',
    {
      config: { access: Access.ingest },
      schema: {
        tags: ['audit'],
        summary: 'Append a batch of audit events from another application; answers after they are committed',
        security: bearerSecurity,
        body: IngestBody,
        response: {
          201: IngestResponse,
          400: { $ref: 'ErrorResponse' },
          409: { $ref: 'ErrorResponse' },
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const events = validateBatch(
        Array.isArray(request.body) ? request.body : request.body.events,
        app.config.audit.maxBatchSize
      );
      try {
        const result = await app.audit.append(events);
        return reply.code(201).send({ accepted: result.count, firstSeq: result.firstSeq, lastSeq: result.lastSeq });
      } catch (err) {
        if (err instanceof AuditInputError) {
          // A retried batch whose events carry ids: nothing of it was written again.
          if (err.field === 'id') throw new ConflictError(`${err.message}; nothing of this batch was written`);
          throw new BadRequestError(err.message);
        }
        throw err;
      }
    }
  );
};

export default auditRoutes;
