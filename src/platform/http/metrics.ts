import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsOptions {
  pool?: pg.Pool;
}

/**
 * Prometheus metrics at /metrics. A registry per app, not prom-client's global one, so that
 * tests and the CLI can build several apps in one process.
 */
export const metricsPlugin = fp(
  async (app: FastifyInstance, opts: MetricsOptions) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    const shed = new Counter({
      name: 'http_requests_shed_total',
      help: 'Requests answered 503 by load shedding',
      registers: [registry],
    });
    const { pool } = opts;
    if (pool) {
      const gauge = (name: string, help: string, read: () => number) =>
        new Gauge({
          name,
          help,
          registers: [registry],
          collect() {
            this.set(read());
          },
        });
      gauge('db_pool_connections_total', 'Connections open in the pool', () => pool.totalCount);
      gauge('db_pool_connections_idle', 'Idle connections in the pool', () => pool.idleCount);
      gauge('db_pool_waiting_requests', 'Queries waiting for a connection', () => pool.waitingCount);
    }
    app.decorate('metrics', { registry, shed });

    app.addHook('onResponse', async (request, reply) => {
      // The route pattern, not the URL: one series per route, however many ids are requested.
      const route = request.routeOptions.url ?? 'unmatched';
      duration.observe(
        { method: request.method, route, status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });

    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    });
  },
  { name: 'crucible-metrics' },
);

declare module 'fastify' {
  interface FastifyInstance {
    metrics: { registry: Registry; shed: Counter };
  }
}
