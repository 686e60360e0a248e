import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { createDatabase } from '../src/platform/db/database.js';
import { startEmbeddedPostgres } from '../src/platform/db/embedded.js';
import { migrateService } from '../src/platform/db/migrate.js';
import { createLogger } from '../src/platform/logger.js';
import { tracking } from '../src/services/tracking/index.js';
import { copyAndCount } from '../src/services/tracking/interactions.repository.js';
import type { StoredInteraction } from '../src/services/tracking/interactions.rules.js';
import { uuidV7 } from '../src/services/tracking/interactions.service.js';
import { measurePostgres } from './postgres-cpu.js';

const BATCH = 10_000, ROUNDS = Number(process.env.R ?? 15);
const TYPES = ['click', 'view', 'like'] as const;
const interaction = (i: number): StoredInteraction => {
  const at = new Date().toISOString();
  return { id: uuidV7(), interaction_type: TYPES[i % 3]!, target_element_id: `banner-${Math.floor(Math.random() * 1000)}`,
    target_element_type: 'banner', campaign_id: `bench-c${Math.floor(Math.random() * 200)}`, occurred_at: at, received_at: at };
};
const variants: Record<string, string[]> = {
  shipped: ['CREATE INDEX ON tracking.interactions (campaign_id, occurred_at DESC, id DESC)', 'CREATE INDEX ON tracking.interactions (occurred_at DESC, id DESC)'],
  narrow: ['CREATE INDEX ON tracking.interactions (campaign_id, occurred_at DESC)', 'CREATE INDEX ON tracking.interactions (occurred_at DESC)'],
  asc: ['CREATE INDEX ON tracking.interactions (campaign_id, occurred_at, id)', 'CREATE INDEX ON tracking.interactions (occurred_at, id)'],
  brin: ['CREATE INDEX ON tracking.interactions (campaign_id, occurred_at DESC, id DESC)', 'CREATE INDEX ON tracking.interactions USING brin (occurred_at)'],
  campaignOnly: ['CREATE INDEX ON tracking.interactions (campaign_id, occurred_at DESC, id DESC)'],
};
const log = createLogger('warn');
const embedded = await startEmbeddedPostgres(path.resolve('.data/bench-tracking'), log);
const name = `bench_idx_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: embedded.url }); await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(embedded.url); url.pathname = `/${name}`;
const database = createDatabase({ url: url.toString(), poolSize: 1 }, log);
try {
  await migrateService(database.db, tracking, log);
  const store = (b: StoredInteraction[]) => copyAndCount(database.pool, database.db, b);
  for (let i = 0; i < 3; i++) await store(Array.from({ length: BATCH }, (_, i) => interaction(i)));
  for (let round = 0; round < Number(process.env.N ?? 3); round++)
    for (const [label, idx] of Object.entries(variants)) {
      await sql`DROP INDEX IF EXISTS tracking.interactions_campaign_time, tracking.interactions_time`.execute(database.db);
      await sql.raw(`DO $$ DECLARE r record; BEGIN FOR r IN SELECT indexname FROM pg_indexes WHERE schemaname='tracking' AND tablename='interactions' AND indexname <> 'interactions_pkey' LOOP EXECUTE 'DROP INDEX tracking.' || quote_ident(r.indexname); END LOOP; END $$`).execute(database.db);
      await sql`TRUNCATE tracking.interactions, tracking.daily_interactions, tracking.daily_outcomes`.execute(database.db);
      for (const s of idx) await sql.raw(s).execute(database.db);
      const batches = Array.from({ length: ROUNDS }, () => Array.from({ length: BATCH }, (_, i) => interaction(i)));
      await measurePostgres(label, 'row', ROUNDS * BATCH, batches, store);
    }
} finally {
  await database.close(); await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); await admin.end(); await embedded.stop();
}
