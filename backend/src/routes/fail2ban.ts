import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditEventInput } from '../audit/entry';
import { Access } from '../auth/roles';
import type { Config } from '../config';
import { BadRequestError } from '../errors';
import {
  checkIp,
  checkJailName,
  createFail2banClient,
  Fail2banCommandError,
  Fail2banError,
  type BanResult,
  type Fail2banClient,
} from '../fail2ban';
import { registerFail2banMetrics } from '../fail2ban/metrics';
import { principalOf } from '../plugins/auth';
import {
  BanBody,
  BanResponse,
  JailIpParams,
  JailParams,
  StatusResponse,
  UnbanBody,
  UnbanQuery,
} from '../schemas/fail2ban';
import { authErrors, bearerSecurity } from '../schemas/common';
import fail2banEventRoutes from './fail2ban-events';

const errorRef = { $ref: 'ErrorResponse' };
/** Answers when Fail2ban cannot be used: 503 unavailable, 502 it failed; the body says why. */
const fail2banErrors = { 400: errorRef, 404: errorRef, 502: errorRef, 503: errorRef, ...authErrors };
/** Metrics read Fail2ban while Prometheus waits: never longer than this. */
const SCRAPE_DEADLINE_MS = 3000;

const DISABLED_MESSAGE =
  'Fail2ban control is disabled on this API (FAIL2BAN_ENABLED=false or fail2ban.enabled: false in its configuration)';

function clientsFrom(config: Config['fail2ban']): { control: Fail2banClient; scrape: Fail2banClient } | null {
  if (!config.enabled) return null;
  const options = { command: config.command, socketPath: config.socketPath };
  return {
    control: createFail2banClient({ ...options, timeoutMs: config.timeoutMs }),
    scrape: createFail2banClient({ ...options, timeoutMs: Math.min(config.timeoutMs, SCRAPE_DEADLINE_MS) }),
  };
}

/**
 * Sends a Fail2ban failure that is not the client's fault (503, 502) with its message: the app's error handler
 * masks 5xx bodies, and an SRE needs to read "Fail2ban is not reachable at …". Anything else is rethrown.
 */
function sendUnavailable(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  if (!(err instanceof Fail2banError) || err.statusCode < 500) throw err;
  const output = err instanceof Fail2banCommandError ? err.output : undefined;
  request.log.warn({ err: { message: err.message, code: err.code }, output }, 'fail2ban-client failed');
  return reply.code(err.statusCode).send({ message: err.message });
}

/**
 * Fail2ban on this host: jail status (viewer), ban and unban (admin, audited with who and why), its metrics,
 * and the reports Fail2ban hosts send back (fail2ban-events.ts).
 */
const fail2banRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const clients = clientsFrom(app.config.fail2ban);
  if (clients) {
    registerFail2banMetrics(app.metrics.registry, clients.scrape, {
      deadlineMs: SCRAPE_DEADLINE_MS,
      onError: (err) => app.log.debug({ err }, 'fail2ban metrics: Fail2ban could not be read'),
    });
  }
  const control = async <T>(
    request: FastifyRequest,
    reply: FastifyReply,
    run: (client: Fail2banClient) => Promise<T>
  ): Promise<T | FastifyReply> => {
    if (!clients) return reply.code(503).send({ message: DISABLED_MESSAGE });
    try {
      return await run(clients.control);
    } catch (err) {
      return sendUnavailable(request, reply, err);
    }
  };
  const audit = async (request: FastifyRequest, action: string, result: BanResult, reason: string) => {
    const { user } = principalOf(request);
    const entry: AuditEventInput = {
      username: user,
      userId: user,
      action,
      resource: 'fail2ban',
      resourceId: `${result.jail}/${result.ip}`,
      ip: request.ip,
      status: 'success',
      metadata: { source: 'api', jail: result.jail, bannedIp: result.ip, reason, changed: result.changed },
    };
    await app.audit.append([entry]);
  };

  app.get(
    '/status',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['fail2ban'],
        summary: 'Every jail of the local Fail2ban: failures, bans and banned addresses (fail2ban-client status)',
        security: bearerSecurity,
        response: { 200: StatusResponse, ...fail2banErrors },
      },
    },
    async (request, reply) => control(request, reply, async (client) => ({ jails: await client.statusAll() }))
  );

  app.post(
    '/jails/:jail/ban',
    {
      config: { access: Access.admin },
      schema: {
        tags: ['fail2ban'],
        summary: 'Ban an address in a jail (fail2ban-client set <jail> banip); audited with the reason',
        security: bearerSecurity,
        params: JailParams,
        body: BanBody,
        response: { 200: BanResponse, ...fail2banErrors },
      },
    },
    async (request, reply) => {
      const ip = checkIp(request.body.ip);
      return control(request, reply, async (client) => {
        const result = await client.ban(request.params.jail, ip);
        await audit(request, 'fail2ban.ban', result, request.body.reason);
        return result;
      });
    }
  );

  app.delete(
    '/jails/:jail/ban/:ip',
    {
      config: { access: Access.admin },
      schema: {
        tags: ['fail2ban'],
        summary: 'Lift a ban (fail2ban-client set <jail> unbanip); the reason in the body or ?reason=, audited',
        security: bearerSecurity,
        params: JailIpParams,
        querystring: UnbanQuery,
        body: UnbanBody,
        response: { 200: BanResponse, ...fail2banErrors },
      },
      // A DELETE usually has no body; the schema then checks an empty one (the reason may be in the query).
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const jail = checkJailName(request.params.jail);
      const ip = checkIp(request.params.ip);
      const reason = request.body?.reason ?? request.query.reason;
      if (reason === undefined) throw new BadRequestError('reason is required, in the body or as ?reason=');
      return control(request, reply, async (client) => {
        const result = await client.unban(jail, ip);
        await audit(request, 'fail2ban.unban', result, reason);
        return result;
      });
    }
  );

  await app.register(fail2banEventRoutes);
};

export default fail2banRoutes;
