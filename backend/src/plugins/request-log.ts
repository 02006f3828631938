import fp from 'fastify-plugin';

/**
 * One JSON log line per request with ip, method, path (without the query string, which may carry
 * secrets), status, responseTime (ms) and the user when known. Headers are never logged.
 */
export default fp(
  async (app) => {
    app.addHook('onResponse', async (request, reply) => {
      const queryAt = request.url.indexOf('?');
      request.log.info(
        {
          ip: request.ip,
          method: request.method,
          path: queryAt === -1 ? request.url : request.url.slice(0, queryAt),
          route: request.routeOptions.url,
          status: reply.statusCode,
          responseTime: Math.round(reply.elapsedTime * 100) / 100,
          user: request.principal?.user,
          role: request.principal?.role,
        },
        'request completed'
      );
    });
  },
  { name: 'request-log', dependencies: ['auth'] }
);
