import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, testPool } from '../../helpers.js';
import { migrateService } from '../../../src/platform/db/migrate.js';
import { createDatabase } from '../../../src/platform/db/database.js';
import { createLogger } from '../../../src/platform/logger.js';
import { BusUnavailableError, type Delivery, type EventBus } from '../../../src/platform/events/events.js';
import { createJetStreamBus, type JetStreamBusOptions } from '../../../src/platform/events/jetstream.js';
import { eventsSchema } from '../../../src/platform/events/start.js';
import { eventBusContract, waitFor } from './contract.js';

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
  /** A bus on a stream of its own (prefix), with one group 'g'; removed afterwards. */
  const onStream = async (
    partitions: number,
    use: (bus: EventBus, nc: NatsConnection, prefix: string) => Promise<void>,
    options: Partial<JetStreamBusOptions> = {},
  ) => {
    const database = await createTestDatabase();
    const log = createLogger('warn');
    const migrator = createDatabase({ url: database.url, poolSize: 2 }, log);
    await migrateService(migrator.db, eventsSchema, log);
    await migrator.close();
    const pool = testPool(database.url, 4);
    const prefix = `msgs${Date.now().toString(36)}`;
    const bus = await createJetStreamBus({ url: NATS_URL, pool, log, prefix, idlePollMs: 20, ...options });
    const nc = await connect({ servers: NATS_URL.split(',') });
    const jsm = await jetstreamManager(nc);
    try {
      await bus.declare({ name: 's', partitions, groups: ['g'] });
      await use(bus, nc, prefix);
    } finally {
      await bus.close();
      for (const name of ['_s', '-DEAD_s'])
        await jsm.streams.delete(`${prefix.toUpperCase()}${name}`).catch(() => undefined);
      await nc.close();
      await pool.end();
      await database.drop();
    }
  };
  describe('JetStream requests', () => {
    it('a publish nobody answers fails with BusUnavailableError once its time is up, not before', async () => {
      await onStream(
        1,
        async (bus, nc, prefix) => {
          await bus.publish('s', [{ id: crypto.randomUUID(), key: 'k', data: 1 }]);
          // The stream goes, and something that never answers listens on its subject instead.
          await (await jetstreamManager(nc)).streams.delete(`${prefix.toUpperCase()}_s`);
          nc.subscribe(`${prefix}.s.*`, { callback: () => undefined });
          await nc.flush();
          const started = performance.now();
          const failed = await bus.publish('s', [{ id: crypto.randomUUID(), key: 'k', data: 2 }]).then(
            () => undefined,
            (err: unknown) => err,
          );
          const waited = performance.now() - started;
          expect(failed).toBeInstanceOf(BusUnavailableError);
          expect((failed as Error).message).toMatch(/no answer from JetStream in \d+ ms/);
          expect(waited).toBeGreaterThanOrEqual(500);
          expect(waited).toBeLessThan(5000);
        },
        { timeoutMs: 300, publishRetryMs: 600 },
      );
    });
  });

  describe('JetStream messages', () => {
    const consumeAll = async (bus: EventBus, count: number) => {
      const seen: Delivery<{ n: number }>[] = [];
      const consumer = await bus.consume<{ n: number }>({
        stream: 's',
        group: 'g',
        batchSize: 10_000,
        handle: async (batch) => {
          seen.push(...batch);
        },
      });
      await waitFor(() => seen.length >= count, 10_000, `${count} events`);
      await waitFor(async () => (await bus.pending('s', 'g')) === 0, 10_000, 'nothing pending');
      await consumer.stop();
      return seen;
    };

    it('a publish larger than the server takes in one message goes as several, delivered in order', async () => {
      await onStream(1, async (bus, nc) => {
        const limit = nc.info!.max_payload;
        // About 1.5 times the largest message, all on one key.
        const count = Math.ceil((limit * 1.5) / 1000);
        const sent = Array.from({ length: count }, (_, n) => ({
          id: crypto.randomUUID(),
          key: 'one',
          data: { n, pad: 'x'.repeat(900) },
        }));
        await bus.publish('s', sent);
        expect(await bus.pending('s', 'g')).toBeGreaterThanOrEqual(3);
        const seen = await consumeAll(bus, count);
        expect(seen.map((d) => d.data.n)).toEqual(sent.map((e) => e.data.n));
        expect(seen.every((d) => d.attempt === 1)).toBe(true);
      });
    });

    it('a pull asks for about a batch in bytes: messages grown from one event to a hundred are not pulled by the hundred', async () => {
      await onStream(1, async (bus, nc, prefix) => {
        const event = (n: number) => ({
          id: crypto.randomUUID(),
          key: 'k',
          data: { n, pad: 'x'.repeat(1000) },
        });
        // First a message of one event, then 100 messages of 100 events (about 110 kB each).
        await bus.publish('s', [event(0)]);
        for (let m = 0; m < 100; m++)
          await bus.publish(
            's',
            Array.from({ length: 100 }, (_, i) => event(1 + m * 100 + i)),
          );
        let release!: () => void;
        const blocked = new Promise<void>((r) => (release = r));
        let batches = 0;
        const consumer = await bus.consume<{ n: number }>({
          stream: 's',
          group: 'g',
          batchSize: 2000,
          handle: async () => {
            if (++batches === 2) await blocked;
          },
        });
        await waitFor(() => batches === 2, 10_000, 'the second batch');
        const jsm = await jetstreamManager(nc);
        const inHand = (await jsm.consumers.info(`${prefix.toUpperCase()}_s`, 'g_p0')).num_ack_pending;
        release();
        await consumer.stop();
        // The batch's 2,000 events are 20 messages; counted by messages of one event, all 100 would be.
        expect(inHand).toBeGreaterThanOrEqual(20);
        expect(inHand).toBeLessThan(50);
      });
    });

    it('publishes made while one is being stored share the next messages', async () => {
      await onStream(1, async (bus) => {
        const sent = Array.from({ length: 10 }, (_, n) => ({
          id: crypto.randomUUID(),
          key: `k${n}`,
          data: { n },
        }));
        await Promise.all(sent.map((e) => bus.publish('s', [e])));
        // The first goes alone; the nine that came meanwhile go together in the next.
        expect(await bus.pending('s', 'g')).toBe(2);
        const seen = await consumeAll(bus, sent.length);
        expect(seen.map((d) => d.data.n)).toEqual(sent.map((e) => e.data.n));
      });
    });

    it('a message as published before messages carried several events is delivered too', async () => {
      await onStream(1, async (bus, nc, prefix) => {
        const id = crypto.randomUUID();
        await jetstream(nc).publish(`${prefix}.s.0`, JSON.stringify({ key: 'old', data: { n: 7 } }), {
          msgID: id,
        });
        const seen = await consumeAll(bus, 1);
        expect(seen).toMatchObject([{ id, key: 'old', data: { n: 7 }, attempt: 1 }]);
      });
    });
  });

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
      pendingCounts: 'messages',
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
