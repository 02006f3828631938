import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Access } from '../auth/roles';
import { principalOf } from '../plugins/auth';
import { migrationStatus } from '../db/migrate';
import { packageVersion } from '../package-info';
import { authErrors, bearerSecurity } from '../schemas/common';
import { ConfigResponse, InstancesResponse, SessionResponse, SystemInfoResponse } from '../schemas/system';
import { listInstances } from '../system/instances';

/** What the caller is, and what this backend is: used by the plugin's Settings page and by SREs. */
const systemRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const startedAt = new Date();
  const version = packageVersion();

  app.get(
    '/session',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['system'],
        summary: 'The role and user the request is authenticated as',
        security: bearerSecurity,
        response: { 200: SessionResponse, ...authErrors },
      },
    },
    async (request) => {
      const { role, user } = principalOf(request);
      return { role, user };
    }
  );

  app.get(
    '/info',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['system'],
        summary: 'Version, uptime, database and applied migrations',
        security: bearerSecurity,
        response: { 200: SystemInfoResponse, ...authErrors },
      },
    },
    async () => {
      const status = await migrationStatus(app.db);
      return {
        version,
        node: process.version,
        instanceId: app.instance.id,
        startedAt: startedAt.toISOString(),
        uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
        database: {
          kind: app.db.kind,
          location: app.db.location,
          migrations: status.applied.map((m) => ({ ...m, appliedAt: m.appliedAt.toISOString() })),
        },
      };
    }
  );

  app.get(
    '/instances',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['system'],
        summary: 'Backend processes seen in the last 24 hours, and which are alive',
        security: bearerSecurity,
        response: { 200: InstancesResponse, ...authErrors },
      },
    },
    async () => {
      const instances = await listInstances(app.db, app.heartbeatMs);
      return {
        instances: instances.map((i) => ({
          ...i,
          startedAt: i.startedAt.toISOString(),
          lastSeenAt: i.lastSeenAt.toISOString(),
          stoppedAt: i.stoppedAt?.toISOString() ?? null,
        })),
      };
    }
  );

  app.get(
    '/config',
    {
      config: { access: Access.admin },
      schema: {
        tags: ['system'],
        summary: 'The effective configuration (environment, YAML file and defaults merged); secrets are never shown',
        security: bearerSecurity,
        response: { 200: ConfigResponse, ...authErrors },
      },
    },
    async () => {
      const { config, db } = app;
      const tokenState = (value: string | undefined, generated: boolean) =>
        value !== undefined
          ? ('from environment' as const)
          : generated
            ? ('generated file' as const)
            : ('not set' as const);
      return {
        configFile: config.configFile,
        server: config.server,
        database: {
          kind: db.kind,
          location: db.location,
          poolMax: config.database.poolMax,
          statementTimeoutMs: config.database.statementTimeoutMs,
        },
        dataDir: config.dataDir,
        logLevel: config.logLevel,
        rateLimit: config.rateLimit,
        tokens: {
          viewer: tokenState(config.auth.viewerToken, true),
          admin: tokenState(config.auth.adminToken, true),
          ingest: tokenState(config.auth.ingestToken, true),
          metrics: tokenState(config.auth.metricsToken, false),
        },
      };
    }
  );
};

export default systemRoutes;
