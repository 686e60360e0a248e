import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import type { StreamSpec } from '../events.js';
import { NANOS_PER_MS, isApiError, unavailable, type Connection } from './connection.js';
import { consumerName, type Names } from './names.js';

/**
 * Messages a partition's consumer may hold unacknowledged, and so the most one pull asks for.
 * Past the server's default of 1,000, a pull handed events out several times each: the contract
 * test "a large batch from one partition" saw every one three times, and the tracking stream
 * stalled with TRACKING_BATCH_SIZE 10,000.
 */
export const MAX_ACK_PENDING = 10_000;

// 2.9 servers have no stream metadata: the partition count lives in the description.
const describe = (spec: StreamSpec) => `crucible events stream "${spec.name}" partitions=${spec.partitions}`;
const partitionsIn = (info: StreamInfo): number => {
  const found = /partitions=(\d+)/.exec(info.config.description ?? '');
  if (!found) throw new Error(`JetStream stream ${info.config.name} exists but was not made by crucible`);
  return Number(found[1]);
};

export interface Streams {
  /** Creates the stream, its dead letters' stream and its groups' consumers, or checks they exist. */
  declare(spec: StreamSpec): Promise<void>;
  /** A declared stream's partitions, remembered: the count is fixed once created. */
  partitionCount(stream: string): Promise<number>;
  /** Undefined if there is no such stream. */
  info(name: string): Promise<StreamInfo | undefined>;
}

export function createStreams(
  conn: Connection,
  names: Names,
  opts: { ackWaitMs: number; replicas: number },
): Streams {
  const { jsm } = conn;
  const { ackWaitMs, replicas } = opts;
  const { streamName, subjectOf, subjects, deadStreamName, deadSubjects } = names;
  const partitionsOf = new Map<string, number>();

  const streamInfo = async (name: string): Promise<StreamInfo | undefined> => {
    try {
      return await jsm.streams.info(name);
    } catch (err) {
      if (isApiError(err, JetStreamApiCodes.StreamNotFound)) return undefined;
      throw err;
    }
  };

  /** Creates the stream, or returns the one there (made by another process in between, too). */
  const ensureStream = async (config: Partial<StreamConfig> & { name: string }) => {
    const found = await streamInfo(config.name);
    if (found) return found;
    try {
      return await jsm.streams.add(config);
    } catch (err) {
      const raced = await streamInfo(config.name);
      if (raced) return raced;
      throw err;
    }
  };

  const ensureConsumer = async (stream: string, group: string, partition: number) => {
    const name = consumerName(group, partition);
    const ackWait = ackWaitMs * NANOS_PER_MS;
    for (let tries = 1; ; tries++) {
      try {
        const info = await jsm.consumers.info(streamName(stream), name);
        if (info.config.ack_wait !== ackWait || info.config.max_ack_pending !== MAX_ACK_PENDING) {
          await jsm.consumers.update(streamName(stream), name, {
            ack_wait: ackWait,
            max_ack_pending: MAX_ACK_PENDING,
          });
        }
        return;
      } catch (err) {
        if (!isApiError(err, JetStreamApiCodes.ConsumerNotFound)) throw err;
      }
      try {
        await jsm.consumers.add(streamName(stream), {
          durable_name: name,
          filter_subject: subjectOf(stream, partition),
          ack_policy: AckPolicy.Explicit,
          ack_wait: ackWait,
          max_ack_pending: MAX_ACK_PENDING,
          deliver_policy: DeliverPolicy.All,
          // Retries and dead letters are counted here, as in the PostgreSQL adapter.
          max_deliver: -1,
        });
        return;
      } catch (err) {
        // Another process created it in between, with another ack wait: look again.
        if (tries === 2) throw err;
      }
    }
  };

  const partitionCount = async (stream: string): Promise<number> => {
    const known = partitionsOf.get(stream);
    if (known) return known;
    let info: StreamInfo | undefined;
    try {
      info = await streamInfo(streamName(stream));
    } catch (err) {
      throw unavailable('JetStream unreachable', err);
    }
    if (!info) throw new Error(`stream ${stream} is not declared`);
    const partitions = partitionsIn(info);
    partitionsOf.set(stream, partitions);
    return partitions;
  };

  const declare = async (spec: StreamSpec) => {
    const info = await ensureStream({
      name: streamName(spec.name),
      description: describe(spec),
      subjects: [subjects(spec.name)],
      storage: StorageType.File,
      // A message goes once every group has acknowledged it, like the PostgreSQL rows.
      retention: RetentionPolicy.Interest,
      num_replicas: replicas,
    });
    const partitions = partitionsIn(info);
    if (partitions !== spec.partitions) {
      throw new Error(
        `stream ${spec.name} has ${partitions} partitions, not ${spec.partitions}: the count is fixed once created`,
      );
    }
    await ensureStream({
      name: deadStreamName(spec.name),
      description: `crucible dead letters of "${spec.name}"`,
      subjects: [deadSubjects(spec.name)],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      num_replicas: replicas,
    });
    await Promise.all(
      spec.groups.flatMap((group) =>
        Array.from({ length: partitions }, (_, p) => ensureConsumer(spec.name, group, p)),
      ),
    );
    partitionsOf.set(spec.name, partitions);
  };

  return { declare, partitionCount, info: streamInfo };
}
