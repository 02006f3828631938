import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { registerAlertMetrics } from '../alertmanager/metrics';
import { recordNotification } from '../alertmanager/record';
import { Access } from '../auth/roles';
import { principalOf } from '../plugins/auth';
import { AlertmanagerNotification, AlertmanagerResponse } from '../schemas/alertmanager';
import { authErrors, bearerSecurity } from '../schemas/common';
import { unlessUnavailable } from './security-common';

const errorRef = { $ref: 'ErrorResponse' };

/**
 * Alertmanager's webhook receiver (provisioning/alertmanager/alertmanager.yml, receiver cartae-secops): each alert
 * recorded once in the audit trail and soar_alerts, and as a security event when it names an address
 * (alertmanager/README.md). Ingest role: Alertmanager holds the ingest token, like every other event source.
 */
const alertmanagerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const metrics = registerAlertMetrics(app.metrics.registry);

  app.post(
    '/alertmanager',
    {
      config: { access: Access.ingest },
      schema: {
        tags: ['soar'],
        summary:
          'Record the alerts of an Alertmanager notification (webhook payload version 4); a redelivery changes nothing',
        description:
          'Every alert is recorded once per fingerprint, startsAt and status, with an audit entry; an alert whose ' +
          'labels name an address (ip, source_ip, src_ip, client_ip) also becomes a security event run through the ' +
          'auto-blocker. 200 whether the alerts were new or not; 503 (Alertmanager retries) when the pipeline is busy.',
        security: bearerSecurity,
        body: AlertmanagerNotification,
        response: { 200: AlertmanagerResponse, 400: errorRef, 503: errorRef, ...authErrors },
      },
    },
    async (request, reply) =>
      unlessUnavailable(reply, () => {
        // Fail before recording anything while the pipeline cannot take events.
        app.security.assertReady();
        return recordNotification(
          {
            db: app.db,
            audit: app.audit,
            recordEvent: async (event, severity) => {
              const batch = await app.security.runOne((runner) =>
                runner.run([event], 'alertmanager', undefined, severity)
              );
              return (batch.rows[0] as { id: string }).id;
            },
            onRecorded: (input) => metrics.recorded(input),
          },
          request.body,
          { user: principalOf(request).user, ip: request.ip }
        );
      })
  );
};

export default alertmanagerRoutes;
