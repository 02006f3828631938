import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Access } from '../auth/roles';
import { BadRequestError } from '../errors';
import { normalizeIp } from '../net/ip';
import { principalOf } from '../plugins/auth';
import { authErrors, bearerSecurity } from '../schemas/common';
import {
  BansQuery,
  BansResponse,
  InfractionBody,
  InfractionResponse,
  RulesResponse,
  WhitelistAddBody,
  WhitelistAddResponse,
  WhitelistEntrySchema,
  WhitelistRemoveBody,
  WhitelistResponse,
} from '../schemas/soar';
import { addWhitelistEntry, removeWhitelistEntry, reportInfraction } from '../security/admin';
import { listBans } from '../security/ban-query';
import { blockParam, unlessUnavailable } from './security-common';

const errorRef = { $ref: 'ErrorResponse' };

function expiryOf(body: { expiresAt?: string; ttlSeconds?: number }, now: number): Date | null {
  if (body.expiresAt !== undefined && body.ttlSeconds !== undefined) {
    throw new BadRequestError('give either expiresAt or ttlSeconds, not both');
  }
  if (body.ttlSeconds !== undefined) return new Date(now + body.ttlSeconds * 1000);
  if (body.expiresAt === undefined) return null;
  const at = new Date(body.expiresAt);
  if (Number.isNaN(at.getTime())) throw new BadRequestError('expiresAt must be an ISO 8601 date-time');
  if (at.getTime() <= now) throw new BadRequestError('expiresAt must be in the future');
  return at;
}

/** The auto-blocker: its bans, whitelist and rules, and infractions reported by applications. */
const soarRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/bans',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['soar'],
        summary: 'Bans in force (state=active), ended or lifted ones (history) or all, newest first, paginated',
        security: bearerSecurity,
        querystring: BansQuery,
        response: { 200: BansResponse, 400: errorRef, ...authErrors },
      },
    },
    async (request) => {
      const { state, ip, limit, cursor } = request.query;
      return listBans(app.db, {
        state: state ?? 'active',
        ip: ip === undefined ? undefined : blockParam(ip),
        limit: limit ?? 50,
        cursor,
      });
    }
  );

  app.get(
    '/whitelist',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['soar'],
        summary: 'Addresses and blocks never counted nor banned: the configuration file entries and the API ones',
        security: bearerSecurity,
        response: { 200: WhitelistResponse, ...authErrors },
      },
    },
    async () => ({ entries: app.security.whitelist.list() })
  );

  app.post(
    '/whitelist',
    {
      config: { access: Access.admin },
      schema: {
        tags: ['soar'],
        summary: 'Whitelist an address or block (optionally until expiresAt); bans in force inside it are lifted',
        security: bearerSecurity,
        body: WhitelistAddBody,
        response: { 200: WhitelistAddResponse, 201: WhitelistAddResponse, 400: errorRef, 503: errorRef, ...authErrors },
      },
    },
    async (request, reply) => {
      const { user, role } = principalOf(request);
      const ip = blockParam(request.body.ip);
      const expiresAt = expiryOf(request.body, Date.now());
      return unlessUnavailable(reply, async () => {
        const result = await addWhitelistEntry(app.security, {
          ip,
          reason: request.body.reason,
          expiresAt,
          actor: { user, role },
        });
        return reply.code(result.created ? 201 : 200).send({ ...result, entry: { ...result.entry, source: 'api' } });
      });
    }
  );

  app.delete(
    '/whitelist',
    {
      config: { access: Access.admin },
      schema: {
        tags: ['soar'],
        summary: 'Remove a whitelist entry added through the API (body: ip, reason)',
        security: bearerSecurity,
        body: WhitelistRemoveBody,
        response: {
          200: WhitelistEntrySchema,
          400: errorRef,
          404: errorRef,
          409: errorRef,
          503: errorRef,
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const ip = blockParam(request.body.ip);
      const { user, role } = principalOf(request);
      return unlessUnavailable(reply, async () => {
        const removed = await removeWhitelistEntry(app.security, {
          ip,
          reason: request.body.reason,
          actor: { user, role },
        });
        if (removed === null) return reply.code(404).send({ message: `${ip} is not on the whitelist` });
        return { ...removed, source: 'api' as const };
      });
    }
  );

  app.get(
    '/rules',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['soar'],
        summary: 'The auto-blocker rules in force, with what this process counted and decided since it started',
        security: bearerSecurity,
        response: { 200: RulesResponse, ...authErrors },
      },
    },
    async () => {
      const { autoBlocker } = app.security.options.config;
      const stats = new Map(app.security.ready ? app.security.live.engine.ruleStats().map((s) => [s.id, s]) : []);
      return {
        rules: autoBlocker.rules.map((rule) => ({
          ...rule,
          matched: stats.get(rule.id)?.matched ?? 0,
          decisions: stats.get(rule.id)?.decisions ?? 0,
        })),
        escalation: autoBlocker.escalation,
        whitelist: autoBlocker.whitelist,
      };
    }
  );

  app.post(
    '/infractions',
    {
      config: { access: Access.ingest },
      schema: {
        tags: ['soar'],
        summary: 'Count one event matching a rule for an address, now (may ban it like any matching event)',
        security: bearerSecurity,
        body: InfractionBody,
        response: { 200: InfractionResponse, 400: errorRef, 404: errorRef, 503: errorRef, ...authErrors },
      },
    },
    async (request, reply) => {
      const ip = normalizeIp(request.body.ip);
      if (ip === null)
        throw new BadRequestError(`ip must be an IPv4 or IPv6 address (got ${JSON.stringify(request.body.ip)})`);
      const { user, role } = principalOf(request);
      const result = await reportInfraction(app.security, {
        ip,
        ruleId: request.body.ruleId,
        reason: request.body.reason ?? null,
        actor: { user, role },
      });
      if (result === null)
        return reply.code(404).send({ message: `no auto-blocker rule has the id ${request.body.ruleId}` });
      const outcome = Object.entries(result.outcomes).find(([, n]) => n > 0)?.[0] ?? 'ignored';
      return { eventId: result.eventId, outcome, outcomes: result.outcomes, decisions: result.decisions };
    }
  );
};

export default soarRoutes;
