import { createHash } from 'node:crypto';
import type { Msg } from '@nats-io/transport-node';
import type { Stored } from '../segments.js';
import { NANOS_PER_MS } from './connection.js';

/**
 * A message's id, for JetStream to drop a publish tried again: the event's own id for one event,
 * else a digest of every id it carries (two publishes that merely start alike must not collide).
 */
export function segmentId(events: Stored[]): string {
  if (events.length === 1) return events[0]![0];
  const hash = createHash('sha256');
  for (const e of events) hash.update(e[0]);
  return `segment-${hash.digest('base64url')}`;
}

/**
 * The events a message carries: a JSON array of `[id, key, data]`, or, as published before
 * messages carried several events, `{ key, data }` with the id in `Nats-Msg-Id`.
 */
export function storedIn(msg: Msg): Stored[] {
  const body = msg.json<unknown>();
  if (Array.isArray(body)) {
    for (const e of body) {
      if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'string')
        throw new Error('a segment holds something that is not an [id, key, data] event');
    }
    return body as Stored[];
  }
  const one = body as { key?: unknown; data?: unknown } | null;
  const id = msg.headers?.get('Nats-Msg-Id');
  if (!one || typeof one.key !== 'string' || !id) throw new Error('neither a segment nor an event');
  return [[id, one.key, one.data ?? null]];
}

/** What the ack subject of a delivered message tells (the server's own bookkeeping). */
export interface DeliveryMeta {
  deliveries: number;
  streamSeq: number;
  publishedAt: Date;
}

/**
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<nanos>.<pending>`, or on newer servers
 * the same with a domain and an account hash after `ACK` and a token at the end.
 */
export function parseAckSubject(reply: string): DeliveryMeta {
  const t = reply.split('.');
  const at = t.length === 9 ? 4 : 6;
  return {
    deliveries: Number(t[at]),
    streamSeq: Number(t[at + 1]),
    publishedAt: new Date(Number(BigInt(t[at + 3] ?? '0') / BigInt(NANOS_PER_MS))),
  };
}
