/**
 * What storing an interaction costs PostgreSQL, and which part of the table costs what: the
 * tracking worker's own way (`copyAndCount`: COPY in binary, then the counters) on the table its
 * migration creates, then its way for redeliveries (`storeInteractions`, one INSERT … ON CONFLICT
 * statement), then the worker's way with the secondary indexes dropped one by one, and last a
 * bare COPY into the table with its primary key only: the yardstick every way is divided by, so
 * the ratios hold from one machine to the next. Prints rows/s and the PostgreSQL CPU per row
 * (read from /proc, so Linux only). All of it through the service's index.
 *
 *   npm run bench:tracking                  # embedded PostgreSQL under .data/bench-tracking
 *   BATCH=1000 npm run bench:tracking       # rows per batch (default 10,000, as the worker)
 *   ROWS=50000 npm run bench:tracking       # rows per way (default 200,000)
 *   DATABASE_URL=postgres://… npm run bench:tracking
 *
 * Works in a scratch database of its own, dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { createDatabase, type Database } from '../src/platform/db/database.js';
import { startEmbeddedPostgres } from '../src/platform/db/embedded.js';
import { migrateService } from '../src/platform/db/migrate.js';
import { createLogger } from '../src/platform/logger.js';
import {
  copyAndCount,
  copyInteractions,
  encodeBinaryCopy,
  storeInteractions,
  tracking,
  uuidV7,
  type StoredInteraction,
} from '../src/services/tracking/index.js';
import { checkCpu } from '../src/scenarios/cpu-check.js';
import { describeMachine, environmentLines } from '../src/scenarios/environment.js';
import { measurePostgres, ratioTable } from './postgres-cpu.js';

/** As many as a consumer stores at once by default (TRACKING_BATCH_SIZE). */
const BATCH = Number(process.env.BATCH ?? 10_000);
const ROUNDS = Math.ceil(Number(process.env.ROWS ?? 200_000) / BATCH);
/** As in tracking.throughput: 200 campaigns and three types, so a batch touches ~600 counters. */
const CAMPAIGNS = 200;
const TYPES = ['click', 'view', 'like'] as const;

const interaction = (i: number): StoredInteraction => {
  // Stamped in arrival order, as the intake stamps them (the timestamp defaults to the received
  // time): random times within a second made each row land at a random place in the time
  // indexes, and overstated what they cost by half.
  const at = new Date().toISOString();
  return {
    id: uuidV7(),
    interaction_type: TYPES[i % TYPES.length]!,
    target_element_id: `banner-${Math.floor(Math.random() * 1000)}`,
    target_element_type: 'banner',
    campaign_id: `bench-c${Math.floor(Math.random() * CAMPAIGNS)}`,
    occurred_at: at,
    received_at: at,
  };
};

const aBatch = () => Array.from({ length: BATCH }, (_, i) => interaction(i));

async function measure(
  database: Database,
  label: string,
  store: (batch: StoredInteraction[]) => Promise<unknown>,
) {
  await sql`TRUNCATE tracking.interactions, tracking.daily_interactions, tracking.daily_outcomes`.execute(
    database.db,
  );
  const batches = Array.from({ length: ROUNDS }, aBatch);
  return measurePostgres(label, 'row', ROUNDS * BATCH, batches, store);
}

const log = createLogger('warn');
const embedded = process.env.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres(path.resolve('.data/bench-tracking'), log);
const serverUrl = process.env.DATABASE_URL ?? embedded!.url;
const name = `bench_tracking_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const database = createDatabase({ url: url.toString(), poolSize: 1 }, log);
try {
  await migrateService(database.db, tracking, log);
  const { rows } = await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  for (const line of environmentLines(describeMachine(await checkCpu(), rows[0]?.v))) console.log(line);
  console.log(`${ROUNDS} batches of ${BATCH} interactions on ${CAMPAIGNS} campaigns, each way`);
  const store = (batch: StoredInteraction[]) => copyAndCount(database.pool, database.db, batch);
  // A fresh database's first batches cost more (caches, the tables' first pages), and whichever
  // way ran first paid for them: a few go first, not counted.
  for (let i = 0; i < 3; i++) await store(aBatch());
  const figures = [
    await measure(database, 'as shipped: COPY, 3 indexes + counters', store),
    await measure(database, 'INSERT … ON CONFLICT, 3 indexes + counters', (b) =>
      storeInteractions(database.db, b),
    ),
  ];
  await sql`DROP INDEX tracking.interactions_time`.execute(database.db);
  figures.push(await measure(database, 'COPY, without the time index, + counters', store));
  await sql`DROP INDEX tracking.interactions_campaign_time`.execute(database.db);
  figures.push(await measure(database, 'COPY, primary key only, + counters', store));
  // The yardstick (issue 4 set its goals on a machine where a bare COPY ran at 250k+ rows/s):
  // every other figure here moves with it from one machine, or one hour, to the next.
  const yardstick = await measure(database, 'bare COPY, primary key only', async (b) => {
    const data = encodeBinaryCopy(b);
    const client = await database.pool.connect();
    try {
      await copyInteractions(client, data);
    } finally {
      client.release();
    }
  });
  console.log(`\n${new Date().toISOString().slice(0, 10)}, ${BATCH.toLocaleString('en')} rows per batch\n`);
  for (const line of ratioTable('row', figures, yardstick)) console.log(line);
} finally {
  await database.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  await admin.end();
  await embedded?.stop();
}
