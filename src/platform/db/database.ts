import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger.js';

// DATE columns stay 'YYYY-MM-DD' strings: turning them into local-midnight Date objects shifts
// birthdays across time zones. BIGINT sums that fit are numbers, not strings.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each service narrows it to its own tables
export type AnyDb = Kysely<any>;

export interface Database {
  pool: pg.Pool;
  db: AnyDb;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string;
  poolSize: number;
  /** How long a query may wait for a pooled connection before the request is shed (503). */
  connectTimeoutMs?: number;
  /** Name shown in pg_stat_activity, to tell serve, worker and scenario connections apart. */
  applicationName?: string;
}

export function createDatabase(opts: DatabaseOptions, log: Logger): Database {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    application_name: opts.applicationName ?? 'crucible',
  });
  // An idle client losing its server (restart, network) must not crash the process.
  pool.on('error', (err) => log.warn({ err }, 'idle database connection failed'));
  // pg-pool listens for errors only on idle clients. A checked-out client (a Kysely transaction,
  // a held advisory lock) whose server goes away between two queries emits 'error' with nobody
  // listening, which is an uncaught exception; its next query rejects anyway, so log and go on.
  pool.on('connect', (client) =>
    client.on('error', (err) => log.debug({ err }, 'database connection lost while checked out')),
  );
  const db: AnyDb = new Kysely({ dialect: new PostgresDialect({ pool }) });
  let closed: Promise<void> | undefined;
  return {
    pool,
    db,
    close: () => (closed ??= db.destroy()),
  };
}
