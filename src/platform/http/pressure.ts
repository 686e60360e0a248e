import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';
import { prepareProblem } from './problem-handler.js';

export interface PressureOptions {
  maxEventLoopDelayMs: number;
  /** Shed when this many queries already wait for a pooled connection. */
  maxDbWaiting: number;
  pool?: pg.Pool;
}

const NEVER_SHED = new Set(['/health', '/metrics']);
// under-pressure reads a window with no delay sample as an infinite delay and sheds everything.
// At 100 ms windows a busy process (two cores shared by a broker, PostgreSQL and a generator)
// hit that several times a minute while its answers stayed under 300 ms: 503s out of nothing.
// A second's window makes it rare; the database-queue limit still sheds within a request.
const SAMPLE_MS = 1000;

/**
 * Overload answers fast 503s with Retry-After instead of letting queues grow until clients time
 * out. Two signals: the event loop falling behind (CPU) and the pool queue growing (database).
 */
export const pressurePlugin = fp(
  async (app: FastifyInstance, opts: PressureOptions) => {
    const shed = (request: FastifyRequest, reply: FastifyReply, why: string) => {
      app.metrics.shed.inc();
      reply.header('retry-after', '1');
      return prepareProblem(request, reply, 503, `Server overloaded (${why}); retry after 1 s`);
    };
    // Loading and migrating block the loop before the server is ready; that delay says nothing
    // about load, so shedding on it starts two samples after ready, when the window is fresh.
    let armed = false;
    app.addHook('onReady', async () => {
      setTimeout(() => (armed = true), 2 * SAMPLE_MS).unref();
    });
    if (opts.maxEventLoopDelayMs > 0) {
      await app.register(underPressure, {
        maxEventLoopDelay: opts.maxEventLoopDelayMs,
        sampleInterval: SAMPLE_MS,
        retryAfter: 1,
        pressureHandler: (request, reply, type) => {
          if (!armed || NEVER_SHED.has(request.url)) return;
          // under-pressure sends what the handler returns; its typings say void.
          return shed(request, reply, String(type)) as unknown as void;
        },
      });
    }
    const { pool } = opts;
    if (pool) {
      app.addHook('onRequest', async (request, reply) => {
        if (pool.waitingCount >= opts.maxDbWaiting && !NEVER_SHED.has(request.url)) {
          return reply.send(shed(request, reply, 'database queue full'));
        }
      });
    }
  },
  { name: 'crucible-pressure', dependencies: ['crucible-metrics'] },
);
