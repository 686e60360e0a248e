import type pg from 'pg';
import { createTestDatabase, testPool } from '../../helpers.js';
import { migrateService } from '../../../src/platform/db/migrate.js';
import { createDatabase } from '../../../src/platform/db/database.js';
import { createLogger } from '../../../src/platform/logger.js';
import { createPostgresBus } from '../../../src/platform/events/postgres.js';
import { eventsSchema } from '../../../src/platform/events/start.js';
import { eventBusContract } from './contract.js';

const LEASE_TTL_MS = 1000;

eventBusContract('PostgreSQL', async () => {
  const database = await createTestDatabase();
  const log = createLogger('warn');
  const migrator = createDatabase({ url: database.url, poolSize: 2 }, log);
  await migrateService(migrator.db, eventsSchema, log);
  await migrator.close();
  const pools: pg.Pool[] = [];
  return {
    async open() {
      const pool = testPool(database.url, 6);
      pools.push(pool);
      return createPostgresBus({ pool, log, leaseTtlMs: LEASE_TTL_MS, idlePollMs: 20 });
    },
    childEnv: { BUS_KIND: 'postgres', DATABASE_URL: database.url, LEASE_TTL_MS: String(LEASE_TTL_MS) },
    redeliveryMs: LEASE_TTL_MS * 2,
    pendingCounts: 'events',
    async cleanup() {
      for (const pool of pools) await pool.end().catch(() => undefined);
      await database.drop();
    },
  };
});
