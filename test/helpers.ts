import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { loadConfig } from '../src/platform/config.js';
import { createDatabase, type Database } from '../src/platform/db/database.js';
import { migrateService, type Migratable } from '../src/platform/db/migrate.js';
import { createLogger } from '../src/platform/logger.js';
import { startRuntime, type Runtime } from '../src/platform/runtime.js';
import type { ServiceModule } from '../src/platform/service.js';

/** A database of its own for one test file, on the run's server; dropped by `drop`. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = inject('databaseUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * A pool for a test's own queries. pg-pool's end() resolves as soon as it has asked its clients
 * to close, so the DROP DATABASE ... WITH (FORCE) that follows can still reach one: the pool then
 * emits 'error', which with no listener fails the whole run. The product's pool logs it instead.
 */
export function testPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => undefined);
  return pool;
}

export interface TestApp {
  runtime: Runtime;
  url: string;
  databaseUrl: string;
  /** Where the app stores files: a directory of its own. */
  dataDir: string;
  close(): Promise<void>;
}

/** The product as `crucible serve` builds it, on a fresh database, listening on a free port. */
export async function startTestApp(
  services: ServiceModule[],
  env: Record<string, string> = {},
  opts: { workers?: boolean; listen?: boolean } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  // Files the app stores go to a directory of this app's own, not the checkout's `.data`.
  const dataDir = await mkdtemp(path.join(tmpdir(), 'crucible-test-'));
  const fullEnv = { LOG_LEVEL: 'warn', PORT: '0', DATA_DIR: dataDir, ...env, DATABASE_URL: database.url };
  const config = loadConfig(fullEnv);
  const runtime = await startRuntime({
    config,
    log: createLogger(config.logLevel),
    services,
    version: 'test',
    http: true,
    workers: opts.workers ?? true,
    env: fullEnv,
  });
  const url = opts.listen === false ? '' : await runtime.listen();
  return {
    runtime,
    url,
    databaseUrl: database.url,
    dataDir,
    async close() {
      await runtime.close();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A service of a test's own, mounted like a real one: its routes, and nothing else unless given. */
export function testService(
  name: string,
  routes: ServiceModule['routes'],
  extra: Partial<ServiceModule> = {},
): ServiceModule {
  return {
    name,
    title: name,
    description: `${name}, a test's own service`,
    migrations: {},
    routes,
    ...extra,
  };
}

/** A test database with the given schemas migrated, and a pool onto it; `close` drops it. */
export async function migratedTestDatabase(schemas: Migratable[], poolSize: number): Promise<Database> {
  const scratch = await createTestDatabase();
  const log = createLogger('warn');
  const database = createDatabase({ url: scratch.url, poolSize }, log);
  for (const schema of schemas) await migrateService(database.db, schema, log);
  return {
    ...database,
    async close() {
      await database.close();
      await scratch.drop();
    },
  };
}
