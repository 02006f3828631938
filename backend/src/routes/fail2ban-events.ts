import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuditInputError, type AuditEventInput } from '../audit/entry';
import { Access } from '../auth/roles';
import { BadRequestError } from '../errors';
import { checkIp } from '../fail2ban';
import { findReport, listReports, recordReport, reportAuditId, type Fail2banReport } from '../fail2ban/events';
import { principalOf } from '../plugins/auth';
import { authErrors, bearerSecurity } from '../schemas/common';
import { ListReportsQuery, ListReportsResponse, ReportBody, ReportResponse } from '../schemas/fail2ban';

const errorRef = { $ref: 'ErrorResponse' };
/** A report is a few hundred bytes. */
const FORM_BODY_LIMIT = 16 * 1024;

/** `a=1&b=2` to `{ a: '1', b: '2' }`; a field given twice is refused rather than silently picked. */
function parseForm(body: string): Record<string, string> {
  const fields = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(body)) {
    if (fields.has(key)) throw new BadRequestError(`form field ${JSON.stringify(key.slice(0, 64))} is given twice`);
    fields.set(key, value);
  }
  return Object.fromEntries(fields); // own data properties, even for a key named __proto__
}

/** The audit entry of a report; its id is derived from the report's key, so a retry cannot add a second one. */
function auditEntry(report: Fail2banReport): AuditEventInput {
  return {
    id: reportAuditId(report),
    username: report.reportedBy,
    userId: report.reportedBy,
    action: `fail2ban.${report.action}`,
    resource: 'fail2ban',
    resourceId: `${report.jail}/${report.ip}`,
    ip: report.reporter,
    status: 'success',
    metadata: {
      source: 'fail2ban',
      jail: report.jail,
      bannedIp: report.ip,
      time: report.time,
      ...(report.bantime !== undefined && { bantime: report.bantime }),
      ...(report.bancount !== undefined && { bancount: report.bancount }),
      ...(report.failures !== undefined && { failures: report.failures }),
      restored: report.restored,
    },
  };
}

/**
 * Bans and unbans reported by Fail2ban hosts (provisioning/fail2ban/action.d/cartae-secops.conf): recorded once
 * per (jail, ip, action, time) with one audit entry, whatever the retries; and the list of them.
 */
const fail2banEventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (_request, body, done) => {
      try {
        done(null, parseForm(body as string));
      } catch (err) {
        done(err as Error, undefined);
      }
    }
  );

  app.post(
    '/events',
    {
      config: { access: Access.ingest },
      schema: {
        tags: ['fail2ban'],
        summary:
          'Record a ban, unban or prolonged ban reported by a Fail2ban host (form-encoded or JSON); a retry changes nothing',
        security: bearerSecurity,
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: ReportBody,
        response: { 200: ReportResponse, 201: ReportResponse, 400: errorRef, ...authErrors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const action = body.action ?? body.event;
      if (action === undefined) throw new BadRequestError('action is required: ban, unban or prolong');
      if (body.event !== undefined && body.event !== action) {
        throw new BadRequestError('action and event disagree; send only action');
      }
      const report: Fail2banReport = {
        jail: body.jail,
        ip: checkIp(body.ip),
        action,
        time: body.time,
        bantime: body.bantime,
        bancount: body.bancount,
        failures: body.failures,
        restored: body.restored === 1,
        reporter: request.ip,
        reportedBy: principalOf(request).user,
      };
      const existing = await findReport(app.db, report);
      if (existing) return reply.code(200).send({ recorded: false, event: existing });
      // The audit entry first: its id makes it idempotent, so a failure between the two writes is repaired by
      // the action's retry (an entry already there is fine), and the row is never stored unaudited.
      try {
        await app.audit.append([auditEntry(report)]);
      } catch (err) {
        if (!(err instanceof AuditInputError && err.field === 'id')) throw err;
      }
      const { event, recorded } = await recordReport(app.db, report);
      return reply.code(recorded ? 201 : 200).send({ recorded, event });
    }
  );

  app.get(
    '/events',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['fail2ban'],
        summary: 'Bans and unbans reported by Fail2ban hosts, newest first, one page at a time',
        security: bearerSecurity,
        querystring: ListReportsQuery,
        response: { 200: ListReportsResponse, 400: errorRef, ...authErrors },
      },
    },
    async (request) => {
      const { limit, cursor, jail, ip, action } = request.query;
      return listReports(app.db, {
        limit: limit ?? 50,
        cursor,
        jail,
        ip: ip === undefined ? undefined : checkIp(ip),
        action,
      });
    }
  );
};

export default fail2banEventRoutes;
