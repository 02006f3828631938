import fp from 'fastify-plugin';
import { createFail2banClient } from '../fail2ban';
import { banCounts } from '../security/ban-query';
import { readSecurityConfig } from '../security/config';
import type { EnforcementAdapter } from '../security/enforcement';
import { fail2banAdapter } from '../security/fail2ban-adapter';
import { registerSecurityMetrics } from '../security/metrics';
import { SecurityService } from '../security/service';

declare module 'fastify' {
  interface FastifyInstance {
    /** The live auto-blocker; `security.ingest(events, { source })` is the pipeline for validated events. */
    security: SecurityService;
  }
}

/**
 * The security service (security/README.md): rules from the configuration file's `autoBlocker` section, settings
 * from its `security` section, the Fail2ban adapter when `security.enforcement.fail2ban.enabled` (with the client
 * of the `fail2ban` section), and the security metrics. The ban state is loaded when the app is ready; the event
 * streams end before the server closes.
 */
export default fp(
  async (app) => {
    const config = readSecurityConfig(app.config.configFile);
    const metrics = registerSecurityMetrics(app.metrics.registry, { banCounts: () => banCounts(app.db) });
    app.addHook('onResponse', (_request, reply, done) => {
      if (reply.statusCode === 401) metrics.authFailed.inc();
      done();
    });

    const adapters: EnforcementAdapter[] = [];
    const { fail2ban } = config.settings.enforcement;
    if (fail2ban.enabled) {
      const { command, socketPath, timeoutMs } = app.config.fail2ban;
      adapters.push(fail2banAdapter(createFail2banClient({ command, socketPath, timeoutMs }), fail2ban.jail));
      app.log.info({ jail: fail2ban.jail }, 'auto-blocker bans are enforced in a Fail2ban jail');
    }

    const service = new SecurityService({
      db: app.db,
      audit: app.audit,
      config,
      metrics,
      adapters,
      log: app.log.child({ component: 'security' }),
    });
    app.decorate('security', service);
    app.addHook('onReady', () => service.start());
    // Before the server stops accepting: open event streams would otherwise keep it waiting.
    app.addHook('preClose', async () => service.stream.close());
    app.addHook('onClose', () => service.stop());
  },
  { name: 'security', dependencies: ['db', 'metrics', 'auth', 'audit'] }
);
