import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { createDatabase, type Database } from './db/database.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded.js';
import { migrateService } from './db/migrate.js';
import type { EventBus } from './events/events.js';
import { eventsSchema, startEventBus } from './events/start.js';
import { buildApp } from './http/app.js';
import { platformSchema } from './migrations/schema.js';
import { startJobs, type Jobs } from './jobs/jobs.js';
import type { Logger } from './logger.js';
import type { ServiceContext, ServiceModule } from './service.js';
import { localStorage } from './storage/storage.js';

/**
 * Node's default accept queue (511) overflows when a crowd connects at once to a busy server: the
 * kernel then drops SYNs and the clients wait 1, 3, 7 s to retry, unanswered and unshed (seen in
 * platform.overload). The kernel caps this at net.core.somaxconn.
 */
const LISTEN_BACKLOG = 4096;

export interface RuntimeOptions {
  config: Config;
  log: Logger;
  services: ServiceModule[];
  version: string;
  /** Serve HTTP (serve) or not (worker, migrate, seed). */
  http: boolean;
  /** Start the services' job consumers. */
  workers: boolean;
  /** Run migrations before starting; true except where the caller migrates itself. */
  migrate?: boolean;
  env?: Record<string, string | undefined>;
}

/**
 * Everything one process runs, built in order and closed in reverse: database server, pool,
 * migrations, jobs, HTTP. Tests, the CLI and the scenarios all build the product through this.
 */
export interface Runtime {
  database: Database;
  jobs: Jobs;
  events: EventBus;
  app?: FastifyInstance;
  /** The address HTTP listens on, once `listen` ran. */
  url?: string;
  ctx: ServiceContext;
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const { config, log, services } = opts;
  let embedded: EmbeddedPostgres | undefined;
  let url = config.db.url;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.dataDir, log);
    url = embedded.url;
  }
  const database = createDatabase({ url, poolSize: config.db.poolSize }, log);
  const closers: (() => Promise<unknown>)[] = [async () => embedded?.stop(), () => database.close()];
  let closing: Promise<void> | undefined;
  const closeAll = () =>
    (closing ??= (async () => {
      for (const close of [...closers].reverse()) {
        await close().catch((err: unknown) => log.error({ err }, 'error while closing'));
      }
    })());
  try {
    if (opts.migrate !== false) {
      await migrateService(database.db, platformSchema, log);
      await migrateService(database.db, eventsSchema, log);
      for (const s of services) await migrateService(database.db, s, log);
    }
    const jobs = await startJobs(url, log);
    closers.push(() => jobs.stop(config.http.shutdownTimeoutMs));
    const events = await startEventBus(config, database.pool, log);
    // Closed after HTTP (no new publishes) and before the pool: consumers finish their batch.
    closers.push(() => events.close());
    const ctx: ServiceContext = {
      db: database.db,
      pool: database.pool,
      jobs,
      events,
      storage: localStorage(path.join(config.dataDir, 'files')),
      log,
      env: opts.env ?? process.env,
    };
    let app: FastifyInstance | undefined;
    if (opts.http) {
      app = await buildApp({ config, log, database, ctx, services, version: opts.version });
      // HTTP closes first (stops accepting, finishes in-flight requests), then jobs, pool, server.
      closers.push(() => app!.close());
    }
    if (opts.workers) {
      for (const s of services) {
        const stop = await s.workers?.({ ...ctx, log: log.child({ service: s.name }) });
        if (stop) closers.push(stop);
      }
    }
    const runtime: Runtime = {
      database,
      jobs,
      events,
      app,
      ctx,
      async listen() {
        if (!app) throw new Error('this runtime serves no HTTP');
        const address = await app.listen({
          host: config.http.host,
          port: config.http.port,
          backlog: LISTEN_BACKLOG,
        });
        runtime.url = address;
        return address;
      },
      close: closeAll,
    };
    return runtime;
  } catch (err) {
    await closeAll();
    throw err;
  }
}
