import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { describeServices, type ServiceContext, type ServiceModule } from '../service.js';
import { docsPlugin } from './docs.js';
import { healthRoutes } from './health.js';
import { metricsPlugin } from './metrics.js';
import { pressurePlugin } from './pressure.js';
import { installProblemHandlers, sendProblem } from './problem-handler.js';
import { indexRoute } from './index-page.js';
import { clientErrorHandler, installInputGuard } from './input-guard.js';
import { requestLogPlugin } from '../logs/request-log.js';
import { Problem } from './schemas.js';
import { buildValidator } from './validation.js';

export interface AppOptions {
  config: Config;
  log: Logger;
  database: Database;
  /** What each service's routes are given (the runtime's, shared with its workers). */
  ctx: ServiceContext;
  services: ServiceModule[];
  version: string;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** A number of proxies is a count of hops to believe (Fastify takes it, its typings do not). */
function trustProxyOption(trust: boolean | number | string[]) {
  return typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust;
}

/** The one HTTP app of every process: platform plugins, then each service's routes. */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { config, log, database, services } = opts;
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // One line per request is written by our onResponse hook, at debug (or warn for 5xx).
    logController: new LogController({ disableRequestLogging: true }),
    // Accept a caller's id so a request can be followed across a load balancer and services.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    trustProxy: trustProxyOption(config.http.trustProxy),
    // Fastify's factory typing wants its own Ajv pool type; ours returns the same compiler shape.
    schemaController: { compilersFactory: { buildValidator: buildValidator as never } },
    // A malformed URL or an over-long path parameter gets a problem answer like any other error:
    // a 400 (find-my-way says 414 for a long parameter, though the URL is well within limits).
    frameworkErrors: (error, request, reply) => {
      const detail =
        error.statusCode === 414 ? 'A path parameter is longer than 100 characters' : error.message;
      void sendProblem(
        request,
        reply,
        error.statusCode === 414 ? 400 : (error.statusCode ?? 400),
        detail.slice(0, 500),
      );
    },
    forceCloseConnections: 'idle',
    clientErrorHandler,
  });

  app.addSchema(Problem);
  installProblemHandlers(app);
  installInputGuard(app);
  // Closing closes idle keep-alive sockets once; a socket whose request was in flight then turns
  // idle and would hold the close open until the client hangs up. Keep closing the idle ones.
  app.addHook('preClose', async () => {
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
    sweep.unref();
    app.server.once('close', () => clearInterval(sweep));
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const line = {
      method: request.method,
      url: request.url,
      status: reply.statusCode,
      ms: reply.elapsedTime,
    };
    if (reply.statusCode >= 500) request.log.warn(line, 'request failed');
    else request.log.debug(line, 'request');
  });

  await app.register(metricsPlugin, { pool: database.pool });
  await app.register(requestLogPlugin, { dir: config.logDir, log });
  await app.register(pressurePlugin, {
    maxEventLoopDelayMs: config.http.maxEventLoopDelayMs,
    maxDbWaiting: config.http.maxDbWaiting,
    pool: database.pool,
  });
  await app.register(docsPlugin, {
    title: services.length === 1 ? `Crucible ${services[0]!.title}` : 'Crucible',
    description: services.map((s) => `**${s.title}** — ${s.description}`).join('\n\n'),
    version: opts.version,
    securitySchemes: Object.assign({}, ...services.map((s) => s.securitySchemes ?? {})),
  });
  await app.register(healthRoutes, { db: database.db });

  for (const service of services) {
    await app.register(async (scope) =>
      service.routes(scope, { ...opts.ctx, log: log.child({ service: service.name }) }),
    );
  }
  const root = services.length === 1 ? services[0]!.root : undefined;
  if (root) await app.register(async (scope) => root(scope));
  else await app.register(indexRoute, { services: describeServices(services), version: opts.version });
  return app;
}
