import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { latestCheckpoint } from '../audit/checkpoints';
import { EXPORT_CONTENT_TYPE, formatExport } from '../audit/export';
import { iterateAuditEvents, parseAuditFilter } from '../audit/query';
import { Access } from '../auth/roles';
import { auditFilterProperties } from '../schemas/audit-read';
import { authErrors, bearerSecurity } from '../schemas/common';

const ExportQuery = Type.Object(
  {
    ...auditFilterProperties,
    format: Type.Optional(
      Type.Union([Type.Literal('csv'), Type.Literal('json'), Type.Literal('jsonl')], { default: 'jsonl' })
    ),
    order: Type.Optional(
      Type.Literal('asc', { default: 'asc', description: 'by seq, oldest first: the order the chain is verified in' })
    ),
  },
  { additionalProperties: false }
);

/**
 * Streamed export of the entries matching the list filters, in ascending seq order. A jsonl export ends with the
 * latest signed checkpoint (docs/audit-format.md), read before the entries so that they cover its tree.
 */
const auditExportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/export',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['audit'],
        summary:
          'Export matching entries with their hashes and canonical bytes (csv, json or jsonl), streamed; jsonl ends with the latest signed checkpoint',
        security: bearerSecurity,
        querystring: ExportQuery,
        produces: Object.values(EXPORT_CONTENT_TYPE),
        response: { 200: Type.String(), 400: { $ref: 'ErrorResponse' }, ...authErrors },
      },
    },
    async (request, reply) => {
      const { format = 'jsonl', order: _order, ...filterInput } = request.query;
      const filter = parseAuditFilter(filterInput); // a bad filter is a 400 before any byte is sent
      const checkpoint = format === 'jsonl' ? await latestCheckpoint(app.db) : undefined;
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const stream = Readable.from(formatExport(iterateAuditEvents(app.db, filter), format, { checkpoint }));
      stream.on('error', (err) => request.log.error({ err }, 'audit export failed mid-stream'));
      return reply
        .type(EXPORT_CONTENT_TYPE[format])
        .header('content-disposition', `attachment; filename="cartae-audit-${stamp}.${format}"`)
        .send(stream);
    }
  );
};

export default auditExportRoutes;
