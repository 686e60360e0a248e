/**
 * A consumer that takes one batch and never finishes it: the contract test SIGKILLs this process
 * mid-batch and checks that the batch is delivered again to the next owner.
 */
import pg from 'pg';
import { createLogger } from '../../../src/platform/logger.js';
import type { EventBus } from '../../../src/platform/events/events.js';
import { createPostgresBus } from '../../../src/platform/events/postgres.js';

const env = process.env;
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 4 });
const log = createLogger('warn');
const ttl = Number(env.LEASE_TTL_MS ?? 1000);
let bus: EventBus;
if (env.BUS_KIND === 'jetstream') {
  const { createJetStreamBus } = await import('../../../src/platform/events/jetstream.js');
  bus = await createJetStreamBus({
    url: env.NATS_URL!,
    pool,
    log,
    leaseTtlMs: ttl,
    ackWaitMs: Number(env.ACK_WAIT_MS ?? 2000),
  } as Parameters<typeof createJetStreamBus>[0]);
} else {
  bus = createPostgresBus({ pool, log, leaseTtlMs: ttl });
}
await bus.consume({
  stream: env.STREAM!,
  group: env.GROUP!,
  batchSize: 10,
  handle: async (batch) => {
    process.stdout.write(`holding ${batch.length}\n`);
    await new Promise(() => undefined);
  },
});
