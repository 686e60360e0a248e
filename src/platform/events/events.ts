/**
 * The events port: an append-only stream of keyed events, consumed by groups. Two adapters keep
 * one contract (test/platform/events/contract.ts): PostgreSQL (embedded default) and NATS
 * JetStream (NATS_URL).
 *
 * The contract:
 * - `publish` resolves only once every event is durably stored; a crash after that loses nothing.
 * - Every group declared for a stream receives every event; the consumers of one group share the
 *   work, by partition (`partitionOf(key)`), each partition owned by one consumer at a time.
 * - A partition's events reach its owner in publish order, so one key's events are handled in
 *   order while consumers scale out. A message being retried is the exception: the rest of its
 *   partition goes on without it (a poison message never blocks the others).
 * - At least once: a batch is acknowledged after `handle` resolves. A consumer that dies leaves
 *   its unacknowledged messages to be delivered again to whoever takes its partitions over.
 * - `handle` throwing retries the batch message by message; a failing message is tried again with
 *   exponential backoff, and after `maxAttempts` goes to the dead letters (after `deadLetter`).
 */
export interface NewEvent {
  /** Unique id (a UUID): consumers use it to make redelivery harmless. */
  id: string;
  /** Ordering and partitioning key (tracking: the campaign). */
  key: string;
  data: unknown;
}

export interface Delivery<T = unknown> {
  id: string;
  key: string;
  data: T;
  partition: number;
  /** 1 on the first delivery; grows with each failed try. */
  attempt: number;
  publishedAt: Date;
}

export interface StreamSpec {
  name: string;
  /** Fixed for the life of the stream: it decides which partition a key lands in. */
  partitions: number;
  /** Every group named here receives every event published after `declare`. */
  groups: string[];
}

export interface ConsumeOptions<T> {
  stream: string;
  group: string;
  /** Most messages handed to `handle` at once (default 500). */
  batchSize?: number;
  /** Tries before a message goes to the dead letters (default 5). */
  maxAttempts?: number;
  /** Delay before the second try; doubles each try, capped at 60 s (default 1000). */
  retryDelayMs?: number;
  /**
   * After a batch less than half full, wait this long before fetching again, so a trickle of
   * events is handled in fewer, larger batches: each batch has a fixed cost (default 0).
   */
  lingerMs?: number;
  /** Handles a batch; throwing means none of it is acknowledged. */
  handle(batch: Delivery<T>[]): Promise<void>;
  /** Called once for a message that failed its last try, before it moves to the dead letters. */
  deadLetter?(delivery: Delivery<T>, error: string): Promise<void>;
}

export interface Consumer {
  /**
   * Stops fetching, finishes and acknowledges the batch in hand (and hands out first whatever is
   * left of a message that batch took only part of), gives its partitions up.
   */
  stop(): Promise<void>;
}

export interface DeadLetter {
  id: string;
  key: string;
  data: unknown;
  partition: number;
  attempts: number;
  error: string;
  failedAt: Date;
}

export interface BusHealth {
  ok: boolean;
  /** e.g. "postgres" or "jetstream nats://127.0.0.1:4222 (connected)" */
  detail: string;
}

export interface EventBus {
  readonly kind: 'postgres' | 'jetstream';
  /** Creates the stream and its groups, or checks they exist; idempotent, safe from any process. */
  declare(spec: StreamSpec): Promise<void>;
  /** Resolves once every event is durable; rejects (BusUnavailableError) if it cannot be. */
  publish(stream: string, events: NewEvent[]): Promise<void>;
  consume<T>(opts: ConsumeOptions<T>): Promise<Consumer>;
  /**
   * What the group has not acknowledged yet: its lag, 0 once it has caught up. PostgreSQL counts
   * events; JetStream counts messages (one per partition a publish touched).
   */
  pending(stream: string, group: string): Promise<number>;
  deadLetters(stream: string, group: string, limit?: number): Promise<DeadLetter[]>;
  health(): Promise<BusHealth>;
  /** Stops every consumer of this bus (as `stop` does), then closes its connections. */
  close(): Promise<void>;
}

/** The broker cannot take the events now: the caller answers 503, nothing was accepted. */
export class BusUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BusUnavailableError';
  }
}

export const DEFAULT_BATCH_SIZE = 500;
export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_RETRY_DELAY_MS = 1000;
const MAX_RETRY_DELAY_MS = 60_000;

/** Delay before try `attempt + 1` after try `attempt` failed. */
export function retryDelay(baseMs: number, attempt: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.max(0, attempt - 1));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A caller's mistake, refused before anything is written (a TypeError, not an outage). */
export function checkPublishable(events: NewEvent[]): void {
  for (const e of events) {
    if (!UUID.test(e.id)) throw new TypeError(`event id must be a UUID, got "${e.id}"`);
    if (typeof e.key !== 'string') throw new TypeError('event key must be a string');
  }
}

/** FNV-1a: stable across processes and languages, so every publisher picks the same partition. */
export function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}
