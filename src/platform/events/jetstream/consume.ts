import { randomUUID } from 'node:crypto';
import { JetStreamApiCodes } from '@nats-io/jetstream';
import type { Msg } from '@nats-io/transport-node';
import type pg from 'pg';
import type { Logger } from '../../logger.js';
import { joinGroup } from '../assignment.js';
import { runConsumer, type ConsumerLoopSource } from '../consumer-loop.js';
import { DEFAULT_BATCH_SIZE, type ConsumeOptions, type Consumer, type Delivery } from '../events.js';
import { InHand, type Carrier } from '../in-hand.js';
import type { Stored } from '../segments.js';
import { isApiError, unavailable, type Connection } from './connection.js';
import { parseAckSubject, storedIn } from './messages.js';
import { consumerName, type Names } from './names.js';
import { createPuller } from './pull.js';
import type { Requests } from './requests.js';
import { attemptOf, createRetries } from './retries.js';
import { MAX_ACK_PENDING } from './streams.js';

/** About what a stored message's headers add to its size, as a pull's `max_bytes` counts it. */
const HEADERS_ALLOWANCE = 150;

export interface ConsumeDeps {
  conn: Connection;
  names: Names;
  requests: Requests;
  partitionCount(stream: string): Promise<number>;
  pool: pg.Pool;
  log: Logger;
  ackWaitMs: number;
  leaseTtlMs?: number;
  idlePollMs?: number;
}

/**
 * Joins the group and runs its consumer loop over the partitions it is dealt: pulls into hand,
 * keeps what is in hand from being redelivered, acknowledges what is settled.
 */
export async function consume<T>(deps: ConsumeDeps, options: ConsumeOptions<T>): Promise<Consumer> {
  const { conn, names, requests, partitionCount, pool, log, ackWaitMs } = deps;
  const { jsm } = conn;
  const { streamName } = names;
  const { confirm } = requests;
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
    ...(deps.leaseTtlMs ? { ttlMs: deps.leaseTtlMs } : {}),
  });
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
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
    const attempt = attemptOf(msg, group, meta.deliveries, requests, waits);
    if (attempt === undefined) return 0;
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

  const { fail } = createRetries({ conn, names, requests, options, inHand, ackAll });

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
    fail,
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
    const wanted = owned.flatMap((partition): { partition: number; count: number; maxBytes?: number }[] => {
      const room = share - (held.get(partition) ?? 0);
      if (room <= 0) return [];
      const bytes = bytesPerEvent.get(partition);
      if (!bytes) return [{ partition, count: 1 }];
      // Each message holds an event at least: `room` messages is never too few.
      return [{ partition, count: room, maxBytes: Math.max(Math.ceil(room * bytes), largestPull) }];
    });
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
    if (failed.length > 0) log.warn({ err: failed[0], stream, group }, 'some partitions could not be pulled');
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

  return runConsumer(source, options, { log, idlePollMs: deps.idlePollMs ?? 50 });
}
