import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '../auth/roles';
import { BadRequestError } from '../errors';
import { principalOf } from '../plugins/auth';
import { authErrors, bearerSecurity } from '../schemas/common';
import { BanIpParams, LiftBody, ManualBanBody, ReasonQuery, StreamQuery } from '../schemas/security';
import { BanSchema, LiftResponse } from '../schemas/soar';
import { liftBan, manualBan } from '../security/admin';
import { blockParam, unlessUnavailable } from './security-common';

const errorRef = { $ref: 'ErrorResponse' };

/** The reason of a DELETE: `?reason=` or a JSON body `{ "reason": … }`. */
function reasonOf(query: { reason?: string }, body: unknown): string {
  const fromBody =
    typeof body === 'object' && body !== null && 'reason' in body ? (body as { reason: unknown }).reason : undefined;
  const reason = query.reason ?? fromBody;
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 1024) {
    throw new BadRequestError('reason is required (?reason=… or a JSON body {"reason": …}), at most 1024 characters');
  }
  return reason;
}

/** Manual bans and unbans (admin), and the live stream of events and decisions. */
const securityBanRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const lift = async (request: FastifyRequest, reply: FastifyReply, target: string, reason: string) => {
    const ip = blockParam(target);
    const { user, role } = principalOf(request);
    return unlessUnavailable(reply, async () => {
      const lifted = await liftBan(app.security, { ip, reason, actor: { user, role } });
      if (lifted === null) return reply.code(404).send({ message: `no ban of ${ip} is in force` });
      return { lifted };
    });
  };

  app.post(
    '/ban',
    {
      config: { access: Access.admin },
      schema: {
        tags: ['security'],
        summary: 'Ban an address or CIDR block for a duration or for good; replaces a ban in force of the same target',
        security: bearerSecurity,
        body: ManualBanBody,
        response: { 201: BanSchema, 400: errorRef, 409: errorRef, 503: errorRef, ...authErrors },
      },
    },
    async (request, reply) => {
      const { ip, duration, permanent, reason } = request.body;
      if (permanent === true && duration !== undefined) {
        throw new BadRequestError('give either duration (seconds) or permanent: true, not both');
      }
      if (permanent !== true && duration === undefined) {
        throw new BadRequestError('duration (seconds) is required unless permanent is true');
      }
      const { user, role } = principalOf(request);
      const actor = { user, role };
      const durationSeconds = permanent === true ? null : (duration as number);
      return unlessUnavailable(reply, async () => {
        const ban = await manualBan(app.security, { ip: blockParam(ip), durationSeconds, reason, actor });
        return reply.code(201).send(ban);
      });
    }
  );

  app.delete(
    '/ban/:ip',
    {
      config: { access: Access.admin },
      schema: {
        tags: ['security'],
        summary: 'Lift the ban in force of an address or CIDR block (reason in ?reason= or a JSON body)',
        security: bearerSecurity,
        params: BanIpParams,
        querystring: ReasonQuery,
        response: { 200: LiftResponse, 400: errorRef, 404: errorRef, 503: errorRef, ...authErrors },
      },
    },
    async (request, reply) => lift(request, reply, request.params.ip, reasonOf(request.query, request.body))
  );

  app.delete(
    '/ban',
    {
      config: { access: Access.admin },
      schema: {
        tags: ['security'],
        summary: 'Lift the ban in force of an address or CIDR block named in the body (ip, reason)',
        description:
          'The same as DELETE /ban/{ip}, with no "/" of a block in the path: proxies that decode %2F (such as ' +
          "Grafana's plugin proxy) pass it unchanged.",
        security: bearerSecurity,
        body: LiftBody,
        response: { 200: LiftResponse, 400: errorRef, 404: errorRef, 503: errorRef, ...authErrors },
      },
    },
    async (request, reply) => lift(request, reply, request.body.ip, request.body.reason)
  );

  app.get(
    '/stream',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['security'],
        summary: 'Server-Sent Events: security-event, decision, unban, whitelist, enforcement (text/event-stream)',
        description:
          'Relevant events only (severity above info) unless ?all=true. Comment lines keep idle connections open; a ' +
          'client that falls behind loses messages and is told how many (event: dropped).',
        security: bearerSecurity,
        querystring: StreamQuery,
        response: { 503: errorRef, ...authErrors },
      },
    },
    async (request, reply) => {
      const { stream } = app.security;
      if (!stream.accepting) {
        return reply
          .code(503)
          .send({ message: 'the event stream is not accepting clients (at its limit, or closing)' });
      }
      reply.hijack();
      stream.attach(reply.raw, request.query.all === true);
    }
  );
};

export default securityBanRoutes;
