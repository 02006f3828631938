import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { latestWholeVerification, listVerifications, verifyAndRecord } from '../audit/verifications';
import { Access } from '../auth/roles';
import { authErrors, bearerSecurity } from '../schemas/common';
import {
  IntegrityResponse,
  VerificationsQuery,
  VerificationsResponse,
  VerifyQuery,
  VerifyResponse,
} from '../schemas/audit-proof';

const errors = { 400: { $ref: 'ErrorResponse' }, ...authErrors } as const;

/** Verification on demand, the record of every verification, and the integrity status it adds up to. */
const auditIntegrityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/verify',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['audit'],
        summary: 'Re-hash every stored entry in range, check the chain, continuity and the signed checkpoints',
        description:
          'Each run is recorded (GET /api/audit/verifications); a run over the whole trail sets the integrity status.',
        security: bearerSecurity,
        querystring: VerifyQuery,
        response: { 200: VerifyResponse, ...errors },
      },
    },
    async (request) => {
      const actor = request.principal ? `${request.principal.role}:${request.principal.user}` : undefined;
      const { report, record } = await verifyAndRecord(app.db, app.auditKey, { source: 'api', actor }, request.query);
      if (!report.valid) request.log.warn({ firstInvalid: report.firstInvalid }, 'audit verification failed');
      return { ...report, durationMs: record.durationMs };
    }
  );

  app.get(
    '/verifications',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['audit'],
        summary: 'The latest verifications, from the API, the CLI or the schedule, newest first',
        security: bearerSecurity,
        querystring: VerificationsQuery,
        response: { 200: VerificationsResponse, ...errors },
      },
    },
    async (request) => ({ items: await listVerifications(app.db, request.query.limit ?? 20) })
  );

  app.get(
    '/integrity',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['audit'],
        summary: 'Integrity status: the latest whole-trail verification and whether one is overdue',
        security: bearerSecurity,
        response: { 200: IntegrityResponse, ...errors },
      },
    },
    async () => {
      const latest = await latestWholeVerification(app.db);
      const { verifyIntervalHours } = app.config.audit;
      const horizonMs = (verifyIntervalHours > 0 ? verifyIntervalHours : 24) * 3_600_000;
      return {
        status: latest === undefined ? 'unknown' : latest.valid ? 'valid' : 'invalid',
        overdue: latest === undefined || Date.now() - Date.parse(latest.finishedAt) > horizonMs,
        verifyIntervalHours,
        ...(latest ? { latest } : {}),
      } as const;
    }
  );
};

export default auditIntegrityRoutes;
