import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type pg from 'pg';
import { describe, it } from 'vitest';
import { createTestDatabase, testPool } from '../../helpers.js';
import { migrateService } from '../../../src/platform/db/migrate.js';
import { createDatabase } from '../../../src/platform/db/database.js';
import { createLogger } from '../../../src/platform/logger.js';
import { createJetStreamBus } from '../../../src/platform/events/jetstream.js';
import { eventsSchema } from '../../../src/platform/events/start.js';
import { eventBusContract } from './contract.js';

const NATS_URL = process.env.NATS_URL;
const LEASE_TTL_MS = 1000;
// Short, so that a killed consumer's batch comes back within the test's patience.
const ACK_WAIT_MS = 2000;

if (!NATS_URL) {
  // The default reporter lists no skipped test's name: say it once, where the output shows it.
  console.warn('JetStream adapter tests skipped: NATS_URL is not set (e.g. NATS_URL=nats://127.0.0.1:4222)');
  describe('events port contract: JetStream', () => {
    it.skip('NATS_URL is not set: JetStream adapter tests skipped', () => undefined);
  });
} else {
  eventBusContract('JetStream', async () => {
    const database = await createTestDatabase();
    const log = createLogger('warn');
    const migrator = createDatabase({ url: database.url, poolSize: 2 }, log);
    await migrateService(migrator.db, eventsSchema, log);
    await migrator.close();
    const pools: pg.Pool[] = [];
    // The server is shared: every stream the tests declare is deleted at the end.
    const declared = new Set<string>();
    return {
      async open() {
        const pool = testPool(database.url, 6);
        pools.push(pool);
        const bus = await createJetStreamBus({
          url: NATS_URL,
          pool,
          log,
          leaseTtlMs: LEASE_TTL_MS,
          ackWaitMs: ACK_WAIT_MS,
          idlePollMs: 20,
          // NATS_REPLICAS=3 with a three-node NATS_URL runs the contract on replicated streams.
          replicas: Number(process.env.NATS_REPLICAS ?? 1),
        });
        const declare = bus.declare.bind(bus);
        bus.declare = (spec) => {
          declared.add(spec.name);
          return declare(spec);
        };
        return bus;
      },
      childEnv: {
        BUS_KIND: 'jetstream',
        NATS_URL,
        DATABASE_URL: database.url,
        LEASE_TTL_MS: String(LEASE_TTL_MS),
        ACK_WAIT_MS: String(ACK_WAIT_MS),
      },
      redeliveryMs: LEASE_TTL_MS * 2 + ACK_WAIT_MS,
      async cleanup() {
        for (const pool of pools) await pool.end().catch(() => undefined);
        const nc = await connect({ servers: NATS_URL.split(',') });
        const jsm = await jetstreamManager(nc);
        for (const name of declared) {
          for (const stream of [`CRUCIBLE_${name}`, `CRUCIBLE-DEAD_${name}`]) {
            await jsm.streams.delete(stream).catch(() => undefined);
          }
        }
        await nc.close();
        await database.drop();
      },
    };
  });
}
