import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../logger.js';
import { joinGroup } from './assignment.js';
import {
  BusUnavailableError,
  DEFAULT_BATCH_SIZE,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_DELAY_MS,
  partitionOf,
  retryDelay,
  type ConsumeOptions,
  type Consumer,
  type DeadLetter,
  type Delivery,
  type EventBus,
  type NewEvent,
  type StreamSpec,
} from './events.js';
import { runConsumer, type ConsumerLoopSource } from './consumer-loop.js';
import { PublishCoalescer } from './coalescer.js';

export interface PostgresBusOptions {
  pool: pg.Pool;
  log: Logger;
  /** Lease and membership lifetime of a silent consumer (default 5000). */
  leaseTtlMs?: number;
  /** Sleep between fetches that found nothing (default 50). */
  idlePollMs?: number;
}

interface Row {
  seq: string;
  part: number;
  id: string;
  key: string;
  data: string;
  attempts: number;
  published_at: Date;
}

/**
 * The embedded default: the stream is a table in the product's own PostgreSQL. Publishes from
 * concurrent requests are coalesced into multi-row INSERTs (one commit for many requests), which
 * is what lets single-event POSTs go past one commit per request.
 */
export function createPostgresBus(opts: PostgresBusOptions): EventBus {
  const { pool, log } = opts;
  const partitionsOf = new Map<string, number>();
  const consumers = new Set<Consumer>();
  let closed = false;

  const partitionCount = async (stream: string): Promise<number> => {
    const known = partitionsOf.get(stream);
    if (known) return known;
    const { rows } = await pool.query<{ partitions: number }>(
      'SELECT partitions FROM events.streams WHERE name = $1',
      [stream],
    );
    if (!rows[0]) throw new Error(`stream ${stream} is not declared`);
    partitionsOf.set(stream, rows[0].partitions);
    return rows[0].partitions;
  };

  const coalescer = new PublishCoalescer(async (stream, events) => {
    const partitions = await partitionCount(stream);
    await pool.query(
      `INSERT INTO events.messages (stream, grp, part, id, key, data)
       SELECT $1, g.grp, e.part, e.id, e.key, e.data
       FROM unnest($2::int[], $3::uuid[], $4::text[], $5::text[]) WITH ORDINALITY AS e(part, id, key, data, n)
       CROSS JOIN events.groups g WHERE g.stream = $1
       ORDER BY e.n, g.grp`,
      [
        stream,
        events.map((e) => partitionOf(e.key, partitions)),
        events.map((e) => e.id),
        events.map((e) => e.key),
        events.map((e) => JSON.stringify(e.data ?? null)),
      ],
    );
  });

  const toDelivery = (r: Row): Delivery => ({
    id: r.id,
    key: r.key,
    data: JSON.parse(r.data) as unknown,
    partition: r.part,
    attempt: r.attempts + 1,
    publishedAt: r.published_at,
  });

  const bus: EventBus = {
    kind: 'postgres',

    async declare(spec: StreamSpec) {
      const { rows } = await pool.query<{ partitions: number }>(
        `WITH s AS (
           INSERT INTO events.streams (name, partitions) VALUES ($1, $2)
           ON CONFLICT (name) DO NOTHING RETURNING partitions
         )
         SELECT partitions FROM s UNION ALL SELECT partitions FROM events.streams WHERE name = $1`,
        [spec.name, spec.partitions],
      );
      const partitions = rows[0]!.partitions;
      if (partitions !== spec.partitions) {
        throw new Error(
          `stream ${spec.name} has ${partitions} partitions, not ${spec.partitions}: the count is fixed once created`,
        );
      }
      partitionsOf.set(spec.name, partitions);
      await pool.query(
        `INSERT INTO events.groups (stream, grp) SELECT $1, g FROM unnest($2::text[]) AS g
         ON CONFLICT DO NOTHING`,
        [spec.name, spec.groups],
      );
    },

    async publish(stream: string, events: NewEvent[]) {
      if (closed) throw new BusUnavailableError('the event bus is closed');
      if (events.length === 0) return;
      try {
        await coalescer.publish(stream, events);
      } catch (err) {
        // A caller's mistake (undeclared stream, an id that is no UUID) is not an outage.
        if (err instanceof TypeError || (err instanceof Error && /is not declared/.test(err.message)))
          throw err;
        throw new BusUnavailableError(`events not stored: ${(err as Error).message}`, { cause: err });
      }
    },

    async consume<T>(options: ConsumeOptions<T>): Promise<Consumer> {
      const partitions = await partitionCount(options.stream);
      const member = `${options.group}-${randomUUID()}`;
      const assignment = await joinGroup(pool, {
        stream: options.stream,
        group: options.group,
        partitions,
        member,
        ...(opts.leaseTtlMs ? { ttlMs: opts.leaseTtlMs } : {}),
      });
      const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
      const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
      const baseDelay = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
      const seqOf = new WeakMap<Delivery, string>();

      const source: ConsumerLoopSource<T> = {
        assignment,
        async fetch(owned) {
          // Each owned partition's oldest available messages, fairly shared: any prefix of a
          // partition keeps its order, and the index walks each one in order.
          const perPartition = Math.ceil(batchSize / owned.length);
          const { rows } = await pool.query<Row>(
            `SELECT m.seq, m.part, m.id, m.key, m.data, m.attempts, m.published_at
             FROM unnest($3::int[]) AS p(part)
             CROSS JOIN LATERAL (
               SELECT seq, part, id, key, data, attempts, published_at FROM events.messages
               WHERE stream = $1 AND grp = $2 AND part = p.part AND available_at <= now()
               ORDER BY seq LIMIT $4
             ) m
             ORDER BY m.seq`,
            [options.stream, options.group, owned, perPartition],
          );
          return rows.map((r) => {
            const d = toDelivery(r) as Delivery<T>;
            seqOf.set(d, r.seq);
            return d;
          });
        },
        async ack(batch) {
          await pool.query('DELETE FROM events.messages WHERE seq = ANY($1::bigint[])', [
            batch.map((d) => seqOf.get(d)),
          ]);
        },
        async fail(d, error) {
          const seq = seqOf.get(d);
          if (d.attempt >= maxAttempts) {
            await options.deadLetter?.(d, error);
            await pool.query(
              `WITH m AS (DELETE FROM events.messages WHERE seq = $1 RETURNING *)
               INSERT INTO events.dead_letters (stream, grp, part, id, key, data, attempts, error)
               SELECT stream, grp, part, id, key, data, attempts + 1, $2 FROM m`,
              [seq, error],
            );
            return;
          }
          await pool.query(
            `UPDATE events.messages SET attempts = attempts + 1, last_error = $2,
               available_at = now() + $3::interval
             WHERE seq = $1`,
            [seq, error, `${retryDelay(baseDelay, d.attempt)} milliseconds`],
          );
        },
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

    async pending(stream, group) {
      const { rows } = await pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM events.messages WHERE stream = $1 AND grp = $2',
        [stream, group],
      );
      return Number(rows[0]!.n);
    },

    async deadLetters(stream, group, limit = 100): Promise<DeadLetter[]> {
      const { rows } = await pool.query<
        Omit<Row, 'seq' | 'published_at'> & { error: string; failed_at: Date }
      >(
        `SELECT part, id, key, data, attempts, error, failed_at FROM events.dead_letters
         WHERE stream = $1 AND grp = $2 ORDER BY failed_at DESC LIMIT $3`,
        [stream, group, limit],
      );
      return rows.map((r) => ({
        id: r.id,
        key: r.key,
        data: JSON.parse(r.data) as unknown,
        partition: r.part,
        attempts: r.attempts,
        error: r.error,
        failedAt: r.failed_at,
      }));
    },

    async health() {
      try {
        await pool.query('SELECT 1');
        return { ok: true, detail: 'postgres' };
      } catch (err) {
        return { ok: false, detail: `postgres: ${(err as Error).message}` };
      }
    },

    async close() {
      closed = true;
      await Promise.all([...consumers].map((c) => c.stop()));
      consumers.clear();
      await coalescer.drain();
    },
  };
  return bus;
}
