import { randomUUID } from 'node:crypto';
import { JetStreamApiCodes } from '@nats-io/jetstream';
import { headers, type Msg } from '@nats-io/transport-node';
import type pg from 'pg';
import type { Logger } from '../logger.js';
import { joinGroup } from './assignment.js';
import { runConsumer, type ConsumerLoopSource } from './consumer-loop.js';
import { InHand, type Carrier } from './in-hand.js';
import type { Stored } from './segments.js';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_DELAY_MS,
  retryDelay,
  type ConsumeOptions,
  type Consumer,
  type DeadLetter,
  type Delivery,
  type EventBus,
} from './events.js';
import { NANOS_PER_MS, isApiError, openConnection, unavailable } from './jetstream/connection.js';
import { parseAckSubject, storedIn } from './jetstream/messages.js';
import { consumerName, namesFor, safe } from './jetstream/names.js';
import { createRequests } from './jetstream/requests.js';
import { createHealth } from './jetstream/health.js';
import { createPublisher } from './jetstream/publish.js';
import { createPuller } from './jetstream/pull.js';
import { MAX_ACK_PENDING, createStreams } from './jetstream/streams.js';

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
/** About what a stored message's headers add to its size, as a pull's `max_bytes` counts it. */
const HEADERS_ALLOWANCE = 150;
// A retried event travels alone, marked for the one group that failed it (every group's consumer
// of a partition reads the partition's subject), with the tries it had and when it is due.
const RETRY_GROUP = 'Crucible-Retry-Group';
const RETRY_ATTEMPTS = 'Crucible-Attempts';
const RETRY_AT = 'Crucible-Retry-At';

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
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const replicas = opts.replicas ?? 1;
  const publishRetryMs = opts.publishRetryMs ?? DEFAULT_PUBLISH_RETRY_MS;
  const names = namesFor(opts.prefix ?? 'crucible');
  const { streamName, deadStreamName, deadSubject } = names;
  const conn = await openConnection(opts.url, timeout, log);
  const { nc, js, jsm } = conn;
  const streams = createStreams(conn, names, { ackWaitMs, replicas });
  const { partitionCount } = streams;
  const consumers = new Set<Consumer>();
  let closed = false;

  const requests = createRequests(conn);
  const { store, confirm } = requests;
  const publisher = createPublisher(conn, names, requests, partitionCount, {
    publishRetryMs,
    isClosed: () => closed,
  });
  const { health, pending } = createHealth(conn, names, partitionCount, opts.url);

  const bus: EventBus = {
    kind: 'jetstream',
    declare: streams.declare,
    publish: publisher.publish,
    pending,
    health,

    async consume<T>(options: ConsumeOptions<T>): Promise<Consumer> {
      const { stream, group } = options;
      const partitions = await partitionCount(stream);
      try {
        await jsm.consumers.info(streamName(stream), consumerName(group, 0));
      } catch (err) {
        if (isApiError(err, JetStreamApiCodes.ConsumerNotFound)) {
          throw new Error(`group ${group} of stream ${stream} is not declared`);
        }
        throw unavailable('JetStream unreachable', err);
      }
      const assignment = await joinGroup(pool, {
        stream,
        group,
        partitions,
        member: `${group}-${randomUUID()}`,
        ...(opts.leaseTtlMs ? { ttlMs: opts.leaseTtlMs } : {}),
      });
      const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
      const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
      const baseDelay = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
      const inHand = new InHand<Msg, T>();
      // Bytes per event in each partition's last pull: how many bytes the next pull asks for, so
      // that what a consumer holds stays near its batch however large the messages are. Unknown
      // at first, so the first pull asks for one message.
      const bytesPerEvent = new Map<number, number>();
      // No message is larger than this, headers and subject included.
      const largestPull = conn.maxPayload() + 64 * 1024;
      const puller = createPuller(conn, names, stream, group);

      // A batch may take longer than the ack wait: "still working" keeps JetStream from handing
      // its messages to someone else meanwhile.
      const keepAlive = setInterval(
        () => {
          for (const msg of inHand.messages()) msg.respond('+WPI');
        },
        Math.max(200, Math.floor(ackWaitMs / 3)),
      );
      keepAlive.unref();

      /**
       * Takes a pulled message's events in hand; returns how many. None if it is not for this
       * group to handle now: another group's retry (acknowledged), a retry on its way in (sent
       * back for its delay), not an event at all (removed).
       */
      const receive = (msg: Msg, partition: number, waits: Promise<unknown>[]): number => {
        const meta = parseAckSubject(msg.reply ?? '');
        const h = msg.headers;
        const retryOf = h?.get(RETRY_GROUP);
        if (retryOf && retryOf !== group) {
          msg.respond('+ACK');
          return 0;
        }
        // A retry's first delivery only starts its delay, so each later one is a try.
        const before = Number(h?.get(RETRY_ATTEMPTS) || 0);
        if (before > 0 && meta.deliveries === 1) {
          const delay = Math.max(0, Number(h?.get(RETRY_AT)) - Date.now()) * NANOS_PER_MS;
          waits.push(confirm(msg, `-NAK ${JSON.stringify({ delay })}`).catch(() => undefined));
          return 0;
        }
        const attempt = before > 0 ? before + meta.deliveries - 1 : meta.deliveries;
        let stored: Stored[];
        try {
          stored = storedIn(msg);
        } catch (err) {
          // Not ours (published to our subjects by hand): it would come back forever.
          log.error({ err, stream, subject: msg.subject }, 'not an event; removed');
          msg.respond('+TERM');
          return 0;
        }
        if (stored.length === 0) {
          msg.respond('+ACK');
          return 0;
        }
        const { publishedAt } = meta;
        const events = stored.map(([id, key, data]): Delivery<T> => {
          return { id, key, data: data as T, partition, attempt, publishedAt };
        });
        inHand.add(msg, partition, meta.streamSeq, events);
        return events.length;
      };

      /** Acknowledges messages whose every event is settled, then gives them up. */
      const ackAll = async (done: Carrier<Msg, T>[]) => {
        // A partition's consumer applies acks in the order they come: the answer to its last
        // one vouches for the others, so one round trip per partition, not per message.
        const lastOf = new Map<number, Msg>();
        for (const c of done) {
          lastOf.get(c.partition)?.respond('+ACK');
          lastOf.set(c.partition, c.msg);
        }
        await Promise.all([...lastOf.values()].map((msg) => confirm(msg, '+ACK')));
        inHand.remove(done);
      };

      const deadLetter = async (d: Delivery<T>, error: string) => {
        await options.deadLetter?.(d, error);
        const dead = {
          id: d.id,
          key: d.key,
          data: d.data,
          partition: d.partition,
          attempts: d.attempt,
          error,
          failedAt: new Date().toISOString(),
        };
        try {
          await store(
            deadSubject(stream, group),
            deadStreamName(stream),
            `${d.id}.${safe(group)}`,
            JSON.stringify(dead),
            timeout,
          );
        } catch (err) {
          throw unavailable('dead letter not stored', err);
        }
      };

      const source: ConsumerLoopSource<T> = {
        assignment,
        async fetch(owned, more) {
          // The loop fetches once the last batch is settled: a message still here that is not
          // merely waiting to be handed out lost its ack or NAK to an error. It goes back now,
          // whole, with the rest (so its partition's order holds), not kept alive forever.
          if (inHand.stale()) for (const msg of inHand.release()) msg.respond('-NAK');
          const mine = new Set(owned);
          for (const msg of inHand.release((p) => mine.has(p))) msg.respond('-NAK');
          if (more) await pullInto(owned);
          return inHand.take(batchSize);
        },
        holding: () => inHand.holding(),
        async ack(batch) {
          await ackAll(inHand.settle(batch));
        },
        async fail(d, error) {
          const carrier = inHand.carrier(d);
          if (carrier.size === 1) {
            // The message is this event alone: JetStream itself delays it, or it is removed.
            if (d.attempt >= maxAttempts) {
              await deadLetter(d, error);
              await confirm(carrier.msg, '+TERM');
            } else {
              const delay = retryDelay(baseDelay, d.attempt) * NANOS_PER_MS;
              await confirm(carrier.msg, `-NAK ${JSON.stringify({ delay })}`);
            }
            inHand.settle([d]);
            inHand.remove([carrier]);
            return;
          }
          // Its neighbours go on: the event leaves its message as a message of its own (stored
          // before the old one is acknowledged, so a crash in between repeats it, never loses it).
          if (d.attempt >= maxAttempts) await deadLetter(d, error);
          else {
            const h = headers();
            h.set(RETRY_GROUP, group);
            h.set(RETRY_ATTEMPTS, String(d.attempt));
            h.set(RETRY_AT, String(Date.now() + retryDelay(baseDelay, d.attempt)));
            const body = JSON.stringify([[d.id, d.key, d.data ?? null]]);
            try {
              await store(
                carrier.msg.subject,
                streamName(stream),
                `${d.id}.${safe(group)}.${d.attempt}`,
                body,
                timeout,
                h,
              );
            } catch (err) {
              throw unavailable('retry not stored', err);
            }
          }
          await ackAll(inHand.settle([d]));
        },
        close() {
          clearInterval(keepAlive);
          for (const msg of inHand.release()) msg.respond('-NAK');
          puller.close();
          return Promise.resolve();
        },
      };

      /**
       * Pulls each owned partition's next messages into `inHand`: enough, by the bytes per event
       * of the partition's last pull, to make its share of a batch with what it already holds.
       */
      const pullInto = async (owned: readonly number[]) => {
        const share = Math.ceil(batchSize / owned.length);
        const held = inHand.held();
        const wanted = owned.flatMap(
          (partition): { partition: number; count: number; maxBytes?: number }[] => {
            const room = share - (held.get(partition) ?? 0);
            if (room <= 0) return [];
            const bytes = bytesPerEvent.get(partition);
            if (!bytes) return [{ partition, count: 1 }];
            // Each message holds an event at least: `room` messages is never too few.
            return [{ partition, count: room, maxBytes: Math.max(Math.ceil(room * bytes), largestPull) }];
          },
        );
        const settled = await Promise.allSettled(
          wanted.map(async ({ partition, count, maxBytes }) => ({
            partition,
            msgs: await puller.pull(partition, Math.min(MAX_ACK_PENDING, count), maxBytes),
          })),
        );
        // What the other partitions delivered is handed out all the same: dropped, it would
        // come back only after the ack wait, behind the messages that follow it.
        const failed = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
        if (failed.length > 0 && failed.length === settled.length) throw failed[0];
        if (failed.length > 0)
          log.warn({ err: failed[0], stream, group }, 'some partitions could not be pulled');
        const waits: Promise<unknown>[] = [];
        for (const r of settled) {
          if (r.status !== 'fulfilled' || r.value.msgs.length === 0) continue;
          const { partition, msgs } = r.value;
          let taken = 0;
          let bytes = 0;
          for (const msg of msgs) {
            taken += receive(msg, partition, waits);
            bytes += msg.subject.length + msg.data.length + HEADERS_ALLOWANCE;
          }
          if (taken > 0) bytesPerEvent.set(partition, bytes / taken);
        }
        await Promise.all(waits);
      };

      const consumer = runConsumer(source, options, { log, idlePollMs: opts.idlePollMs ?? 50 });
      consumers.add(consumer);
      return {
        async stop() {
          consumers.delete(consumer);
          await consumer.stop();
        },
      };
    },

    /**
     * Newest first. JetStream cannot read one subject backwards, so this reads the group's dead
     * letters from the oldest and keeps the last `limit`: its cost grows with the dead letters.
     */
    async deadLetters(stream, group, limit = 100): Promise<DeadLetter[]> {
      if (!(await streams.info(deadStreamName(stream)))) return [];
      const reader = await js.consumers.get(deadStreamName(stream), {
        filter_subjects: deadSubject(stream, group),
      });
      const newest: DeadLetter[] = [];
      try {
        if ((await reader.info(true)).num_pending === 0) return [];
        const msgs = await reader.consume({ expires: timeout });
        for await (const msg of msgs) {
          const d = msg.json<Omit<DeadLetter, 'failedAt'> & { failedAt: string }>();
          newest.push({ ...d, failedAt: new Date(d.failedAt) });
          if (newest.length > limit) newest.shift();
          if (msg.info.pending === 0) break;
        }
      } finally {
        await reader.delete().catch(() => undefined);
      }
      return newest.reverse();
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...consumers].map((c) => c.stop()));
      consumers.clear();
      await publisher.drain();
      // Every ack, NAK and publish was confirmed by the server: nothing is left to flush.
      await nc.close();
      requests.stop();
    },
  };
  return bus;
}
