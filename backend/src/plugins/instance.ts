import fp from 'fastify-plugin';
import { packageVersion } from '../package-info';
import { InstanceRegistry } from '../system/instances';

declare module 'fastify' {
  interface FastifyInstance {
    instance: InstanceRegistry;
    heartbeatMs: number;
  }
}

export interface InstancePluginOptions {
  heartbeatMs?: number;
}

/** Records this process in `instances` when the app is ready, refreshes it, and marks it stopped on close. */
export default fp<InstancePluginOptions>(
  async (app, opts) => {
    const heartbeatMs = opts.heartbeatMs ?? 30_000;
    const registry = new InstanceRegistry(app.db, packageVersion());
    app.decorate('instance', registry);
    app.decorate('heartbeatMs', heartbeatMs);
    let timer: NodeJS.Timeout | undefined;

    app.addHook('onReady', async () => {
      // A missing row only hides this process from /api/system/instances: never a reason not to start.
      await registry.register().catch((err: unknown) => app.log.warn({ err }, 'could not record this instance'));
      timer = setInterval(() => {
        registry.heartbeat().catch((err: unknown) => app.log.warn({ err }, 'instance heartbeat failed'));
      }, heartbeatMs);
      timer.unref();
    });
    app.addHook('onClose', async () => {
      if (timer) clearInterval(timer);
      await registry.markStopped().catch((err: unknown) => app.log.warn({ err }, 'could not mark instance stopped'));
    });
  },
  { name: 'instance', dependencies: ['db'] }
);
