import type { Delivery } from './events.js';

/** A broker message in hand, and what is left of its events. */
export interface Carrier<M, T> {
  msg: M;
  partition: number;
  /** Position in the stream: hands messages out in publish order, across partitions too. */
  seq: number;
  /** How many events the message carries. */
  size: number;
  /** Events handed out and neither acknowledged nor handed to a retry yet. */
  unsettled: number;
  /** Events not handed out yet, in order. */
  rest: Delivery<T>[];
}

/**
 * The messages a consumer holds, when one message carries several events and a batch may take
 * only part of one. A message is acknowledged once every event of it is settled; until then its
 * untaken events are held and handed out first, before any later message of their partition.
 */
export class InHand<M, T> {
  private readonly carriers = new Set<Carrier<M, T>>();
  private readonly carrierOf = new WeakMap<Delivery<T>, Carrier<M, T>>();

  add(msg: M, partition: number, seq: number, events: Delivery<T>[]): void {
    const c: Carrier<M, T> = { msg, partition, seq, size: events.length, unsettled: 0, rest: events };
    for (const d of events) this.carrierOf.set(d, c);
    this.carriers.add(c);
  }

  /** Events not handed out yet, by partition. */
  held(): Map<number, number> {
    const n = new Map<number, number>();
    for (const c of this.carriers)
      if (c.rest.length > 0) n.set(c.partition, (n.get(c.partition) ?? 0) + c.rest.length);
    return n;
  }

  /** Whether events are waiting to be handed out (a batch had room for only part of them). */
  holding(): boolean {
    for (const c of this.carriers) if (c.rest.length > 0) return true;
    return false;
  }

  /**
   * Whether a message is in hand for another reason than waiting to be handed out: a batch's ack
   * or retry failed half way. Such messages must go back to the broker whole.
   */
  stale(): boolean {
    for (const c of this.carriers) if (c.unsettled > 0 || c.rest.length === 0) return true;
    return false;
  }

  /**
   * Up to `room` events, oldest message first. Only the last message taken can be cut short, so
   * no later message of its partition is handed out before its rest.
   */
  take(room: number): Delivery<T>[] {
    const batch: Delivery<T>[] = [];
    const waiting = [...this.carriers].filter((c) => c.rest.length > 0).sort((a, b) => a.seq - b.seq);
    for (const c of waiting) {
      const n = Math.min(room - batch.length, c.rest.length);
      if (n === 0) break;
      const taken = n === c.rest.length ? c.rest : c.rest.slice(0, n);
      c.rest = taken === c.rest ? [] : c.rest.slice(n);
      c.unsettled += n;
      for (const d of taken) batch.push(d);
    }
    return batch;
  }

  /** The message an event came in. */
  carrier(d: Delivery<T>): Carrier<M, T> {
    const c = this.carrierOf.get(d);
    if (!c || !this.carriers.has(c)) throw new Error(`event ${d.id} is not in hand`);
    return c;
  }

  /**
   * Marks events settled. Returns the messages that have nothing left, in stream order: they are
   * ready to be acknowledged, and are given up with `remove` once they are.
   */
  settle(events: Delivery<T>[]): Carrier<M, T>[] {
    const done: Carrier<M, T>[] = [];
    for (const d of events) {
      const c = this.carrier(d);
      if (--c.unsettled === 0 && c.rest.length === 0) done.push(c);
    }
    return done.sort((a, b) => a.seq - b.seq);
  }

  remove(carriers: Iterable<Carrier<M, T>>): void {
    for (const c of carriers) this.carriers.delete(c);
  }

  /** Gives up the messages of the partitions `keep` rejects (all by default) and returns them. */
  release(keep: (partition: number) => boolean = () => false): M[] {
    const gone: M[] = [];
    for (const c of this.carriers) {
      if (keep(c.partition)) continue;
      this.carriers.delete(c);
      gone.push(c.msg);
    }
    return gone;
  }

  messages(): M[] {
    return [...this.carriers].map((c) => c.msg);
  }
}
