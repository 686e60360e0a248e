import type { FastifyInstance } from 'fastify';
import type { Migration } from 'kysely';
import type pg from 'pg';
import type { Env } from './config.js';
import type { AnyDb } from './db/database.js';
import type { EventBus } from './events/events.js';
import type { Jobs } from './jobs/jobs.js';
import type { Logger } from './logger.js';
import type { Storage } from './storage/storage.js';

/** What the platform hands a service: shared handles, never another service. */
export interface ServiceContext {
  db: AnyDb;
  pool: pg.Pool;
  jobs: Jobs;
  events: EventBus;
  /** Files (uploads, processed media); `$DATA_DIR/files` by default. */
  storage: Storage;
  log: Logger;
  env: Env;
}

export interface EnvVarDoc {
  default: string;
  doc: string;
}

/** An OpenAPI security scheme: a bearer token, or an API key in a header. */
export type SecurityScheme =
  | { type: 'http'; scheme: 'bearer'; bearerFormat?: string; description?: string }
  | { type: 'apiKey'; in: 'header'; name: string; description?: string };

/** The module each `src/services/<name>/index.ts` exports; the platform mounts it. */
export interface ServiceModule {
  /** Also the PostgreSQL schema that holds the service's tables. */
  name: string;
  title: string;
  description: string;
  /** The path of a web page for people, when the service has one; the index links it. */
  page?: string;
  envVars?: Record<string, EnvVarDoc>;
  migrations: Record<string, Migration>;
  /** OpenAPI security schemes its routes name in `schema.security` (e.g. BEARER_SCHEME). */
  securitySchemes?: Record<string, SecurityScheme>;
  /**
   * Registers the service's own `GET /`, for an original that answered the root itself. Mounted
   * only when this service is the only one served; otherwise `/` is the index of the services.
   */
  root?(app: FastifyInstance): Promise<void>;
  /** Registers the routes; throws a ConfigError for a bad service setting, before serving. */
  routes(app: FastifyInstance, ctx: ServiceContext): Promise<void>;
  /**
   * Starts the service's job consumers and background loops; returns when they run. It may return
   * a function that stops what it started (a timer loop, say): the runtime awaits it on close,
   * before the jobs and the pool are closed.
   */
  workers?(ctx: ServiceContext): Promise<void | (() => Promise<void>)>;
  /** Loads demo data; returns a line saying what it loaded. */
  seed?(ctx: ServiceContext): Promise<string>;
  /**
   * Loads a small demo data set only when the service holds no data yet, so a first start has
   * something to show (`crucible serve --demo`, which `npm start` runs). Returns a line saying
   * what it loaded, or undefined when there was data already.
   */
  demo?(ctx: ServiceContext): Promise<string | undefined>;
}

export function describeServices(services: ServiceModule[]) {
  return services.map((s) => ({
    name: s.name,
    title: s.title,
    description: s.description,
    ...(s.page ? { page: s.page } : {}),
  }));
}
