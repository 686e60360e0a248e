import { headers, type Msg } from '@nats-io/transport-node';
import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_DELAY_MS,
  retryDelay,
  type ConsumeOptions,
  type DeadLetter,
  type Delivery,
} from '../events.js';
import type { Carrier, InHand } from '../in-hand.js';
import { NANOS_PER_MS, unavailable, type Connection } from './connection.js';
import { safe, type Names } from './names.js';
import type { Requests } from './requests.js';
import type { Streams } from './streams.js';

// A retried event travels alone, marked for the one group that failed it (every group's consumer
// of a partition reads the partition's subject), with the tries it had and when it is due.
const RETRY_GROUP = 'Crucible-Retry-Group';
const RETRY_ATTEMPTS = 'Crucible-Attempts';
const RETRY_AT = 'Crucible-Retry-At';

/**
 * Which try of `group` a pulled message is, from JetStream's delivery count and the tries a
 * retried event had before it left its message. Undefined, the message answered here, if it is not
 * for this group to handle now: another group's retry (acknowledged), or a retry on its way in
 * (sent back for its delay; the confirmation goes in `waits`).
 */
export function attemptOf(
  msg: Msg,
  group: string,
  deliveries: number,
  requests: Requests,
  waits: Promise<unknown>[],
): number | undefined {
  const h = msg.headers;
  const retryOf = h?.get(RETRY_GROUP);
  if (retryOf && retryOf !== group) {
    msg.respond('+ACK');
    return undefined;
  }
  // A retry's first delivery only starts its delay, so each later one is a try.
  const before = Number(h?.get(RETRY_ATTEMPTS) || 0);
  if (before > 0 && deliveries === 1) {
    const delay = Math.max(0, Number(h?.get(RETRY_AT)) - Date.now()) * NANOS_PER_MS;
    waits.push(requests.confirm(msg, `-NAK ${JSON.stringify({ delay })}`).catch(() => undefined));
    return undefined;
  }
  return before > 0 ? before + deliveries - 1 : deliveries;
}

export interface RetryDeps<T> {
  conn: Connection;
  names: Names;
  requests: Requests;
  options: ConsumeOptions<T>;
  inHand: InHand<Msg, T>;
  ackAll(done: Carrier<Msg, T>[]): Promise<void>;
}

/** A consumer's failed events: tried again after a growing delay, or, after the last try, dead. */
export function createRetries<T>(deps: RetryDeps<T>) {
  const { conn, names, requests, options, inHand, ackAll } = deps;
  const { stream, group } = options;
  const { timeout } = conn;
  const { store, confirm } = requests;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const baseDelay = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;

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
        names.deadSubject(stream, group),
        names.deadStreamName(stream),
        `${d.id}.${safe(group)}`,
        JSON.stringify(dead),
        timeout,
      );
    } catch (err) {
      throw unavailable('dead letter not stored', err);
    }
  };

  const fail = async (d: Delivery<T>, error: string) => {
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
          names.streamName(stream),
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
  };

  return { fail };
}

/**
 * Newest first. JetStream cannot read one subject backwards, so this reads the group's dead
 * letters from the oldest and keeps the last `limit`: its cost grows with the dead letters.
 */
export async function readDeadLetters(
  conn: Connection,
  names: Names,
  streams: Streams,
  stream: string,
  group: string,
  limit: number,
): Promise<DeadLetter[]> {
  const { deadStreamName, deadSubject } = names;
  if (!(await streams.info(deadStreamName(stream)))) return [];
  const reader = await conn.js.consumers.get(deadStreamName(stream), {
    filter_subjects: deadSubject(stream, group),
  });
  const newest: DeadLetter[] = [];
  try {
    if ((await reader.info(true)).num_pending === 0) return [];
    const msgs = await reader.consume({ expires: conn.timeout });
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
}
