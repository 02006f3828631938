import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: AppMetrics;
  }
}

export interface AppMetrics {
  registry: Registry;
  httpRequestsTotal: Counter<'method' | 'route' | 'status'>;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  httpRateLimited: Counter<'method' | 'route'>;
}

/** API latency buckets: 5 ms to 10 s, dense where an interactive API lives. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The label for requests that matched no route, so unknown URLs never create new series. */
export const UNMATCHED_ROUTE = 'unmatched';

export function createMetrics(): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequestsTotal: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving a request to sending the response, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_DURATION_BUCKETS,
      registers: [registry],
    }),
    httpRateLimited: new Counter({
      name: 'http_requests_rate_limited_total',
      help: 'Requests refused with 429 by the API rate limiter, by method and route pattern',
      labelNames: ['method', 'route'],
      registers: [registry],
    }),
  };
}

/** A per-app prom-client registry (never the global one) and the HTTP metrics, recorded on every response. */
export default fp(
  async (app) => {
    const metrics = createMetrics();
    app.decorate('metrics', metrics);
    app.addHook('onResponse', async (request, reply) => {
      const labels = {
        method: request.method,
        route: request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE),
        status: String(reply.statusCode),
      };
      metrics.httpRequestsTotal.inc(labels);
      metrics.httpRequestDuration.observe(labels, reply.elapsedTime / 1000);
    });
  },
  { name: 'metrics' }
);
