import type pg from 'pg';
import type { Logger } from '../logger.js';
import type { ConsumeOptions, Consumer, EventBus } from './events.js';
import { openConnection } from './jetstream/connection.js';
import { consume } from './jetstream/consume.js';
import { createHealth } from './jetstream/health.js';
import { namesFor } from './jetstream/names.js';
import { createPublisher } from './jetstream/publish.js';
import { createRequests } from './jetstream/requests.js';
import { readDeadLetters } from './jetstream/retries.js';
import { createStreams } from './jetstream/streams.js';

export interface JetStreamBusOptions {
  /** One server or a comma-separated list (a cluster). */
  url: string;
  /** For partition leases: every consuming process also has the database. */
  pool: pg.Pool;
  log: Logger;
  /** Lease and membership lifetime of a silent consumer (default 5000). */
  leaseTtlMs?: number;
  /** How long a delivered message may stay unacknowledged before JetStream redelivers it (default 3000). */
  ackWaitMs?: number;
  /** Sleep between fetches that found nothing (default 50). */
  idlePollMs?: number;
  /** Copies of each stream in a cluster (default 1); fixed when a stream is created. */
  replicas?: number;
  /** How long a publish or a JetStream API call may wait for the server (default 5000). */
  timeoutMs?: number;
  /** How long a publish keeps trying through a reconnect or a leader election (default 3000). */
  publishRetryMs?: number;
  /** Names this deployment's streams and subjects (default `crucible`): NATS_PREFIX. */
  prefix?: string;
}

// Under ¾ of the lease TTL: a dead consumer's batch comes back before its partitions' next holder
// fetches newer events, so a crash does not reorder a key. The "still working" timer keeps a
// long batch from being redelivered meanwhile.
const DEFAULT_ACK_WAIT_MS = 3000;
const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_PUBLISH_RETRY_MS = 3000;

/**
 * NATS JetStream (NATS_URL): one stream per port stream, a subject per partition, and per group
 * one durable pull consumer per partition. Partitions are dealt through the same PostgreSQL
 * leases as the PostgreSQL adapter; JetStream keeps the messages, their redelivery after
 * `ackWaitMs` when a consumer dies, and the retry delays (a NAK with a delay). Attempts are
 * JetStream's delivery count, so a delivery lost with a dead consumer counts as a try too.
 */
export async function createJetStreamBus(opts: JetStreamBusOptions): Promise<EventBus> {
  const { pool, log } = opts;
  const ackWaitMs = opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  const names = namesFor(opts.prefix ?? 'crucible');
  const conn = await openConnection(opts.url, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, log);
  const streams = createStreams(conn, names, { ackWaitMs, replicas: opts.replicas ?? 1 });
  const { partitionCount } = streams;
  const requests = createRequests(conn);
  const consumers = new Set<Consumer>();
  let closed = false;
  const publisher = createPublisher(conn, names, requests, partitionCount, {
    publishRetryMs: opts.publishRetryMs ?? DEFAULT_PUBLISH_RETRY_MS,
    isClosed: () => closed,
  });
  const { health, pending } = createHealth(conn, names, partitionCount, opts.url);
  const consumeDeps = {
    conn,
    names,
    requests,
    partitionCount,
    pool,
    log,
    ackWaitMs,
    leaseTtlMs: opts.leaseTtlMs,
    idlePollMs: opts.idlePollMs,
  };

  const bus: EventBus = {
    kind: 'jetstream',
    declare: streams.declare,
    publish: publisher.publish,
    pending,
    health,

    async consume<T>(options: ConsumeOptions<T>): Promise<Consumer> {
      const consumer = await consume(consumeDeps, options);
      consumers.add(consumer);
      return {
        async stop() {
          consumers.delete(consumer);
          await consumer.stop();
        },
      };
    },

    deadLetters: (stream, group, limit = 100) => readDeadLetters(conn, names, streams, stream, group, limit),

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...consumers].map((c) => c.stop()));
      consumers.clear();
      await publisher.drain();
      // Every ack, NAK and publish was confirmed by the server: nothing is left to flush.
      await conn.nc.close();
      requests.stop();
    },
  };
  return bus;
}
