import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../logger.js';
import { joinGroup } from './assignment.js';
import {
  BusUnavailableError,
  DEFAULT_BATCH_SIZE,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_DELAY_MS,
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
import { byPartition, type Stored } from './segments.js';

export interface PostgresBusOptions {
  pool: pg.Pool;
  log: Logger;
  /** Lease and membership lifetime of a silent consumer (default 5000). */
  leaseTtlMs?: number;
  /** Sleep between fetches that found nothing (default 50). */
  idlePollMs?: number;
  /** How long a publish waits to share its write with others (default 5; see PublishCoalescer). */
  publishLingerMs?: number;
}

interface Row {
  seq: string;
  part: number;
  data: string;
  attempts: number;
  published_at: Date;
}

/**
 * A fetched segment. Once each delivered event is acknowledged or handed to a retry, the row is
 * deleted, or, when the batch had room for only part of it, rewritten in place with the rest (so
 * it keeps its place in the partition's order).
 */
interface Segment {
  seq: string;
  unsettled: number;
  rest: Stored[];
}

/** Stores `segments` segments (part, count, data from $2 on) for each group of stream $1. */
function publishStatement(segments: number): string {
  const rows = Array.from({ length: segments }, (_, i) => {
    const p = 2 + i * 3;
    return `($${p}::int, $${p + 1}::int, $${p + 2}::text, ${i})`;
  });
  return `INSERT INTO events.segments (stream, grp, part, count, data)
    SELECT $1, g.grp, e.part, e.count, e.data
    FROM (VALUES ${rows.join(', ')}) AS e(part, count, data, n)
    CROSS JOIN events.groups g WHERE g.stream = $1
    ORDER BY e.n, g.grp`;
}

/**
 * The embedded default: the stream is a table in the product's own PostgreSQL. A publish is
 * stored as one row per partition it touches (a segment, in publish order), and publishes from
 * concurrent requests are coalesced first, so thousands of single-event POSTs become a few rows
 * and one commit. Delivery, acknowledgement and retries stay per event.
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

  const coalescer = new PublishCoalescer(
    async (stream, events) => {
      const parts = [...byPartition(events, await partitionCount(stream))];
      await pool.query({
        // Named: parsed and planned once per connection (one statement per segment count, at
        // most the partition count), not on every one of the busiest statements.
        name: `events-publish-${parts.length}`,
        text: publishStatement(parts.length),
        // Each segment its own parameter, sent as is: in a text[] parameter the driver escaped
        // every quote of the JSON, and the server unescaped it, a tenth of the intake's CPU.
        values: [stream, ...parts.flatMap(([part, list]) => [part, list.length, JSON.stringify(list)])],
      });
    },
    { lingerMs: opts.publishLingerMs ?? 5 },
  );

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
      const segmentOf = new WeakMap<Delivery, Segment>();
      /** Marks deliveries done; deletes or rewrites the segments that have nothing left in hand. */
      const settle = async (deliveries: Delivery[]) => {
        const gone: string[] = [];
        const kept: Segment[] = [];
        for (const d of deliveries) {
          const segment = segmentOf.get(d);
          if (!segment || --segment.unsettled > 0) continue;
          if (segment.rest.length === 0) gone.push(segment.seq);
          else kept.push(segment);
        }
        if (gone.length === 0 && kept.length === 0) return;
        await pool.query({
          name: 'events-settle',
          text: `WITH gone AS (DELETE FROM events.segments WHERE seq = ANY($1::bigint[]))
           UPDATE events.segments s SET count = k.count, data = k.data
           FROM unnest($2::bigint[], $3::int[], $4::text[]) AS k(seq, count, data) WHERE s.seq = k.seq`,
          values: [
            gone,
            kept.map((k) => k.seq),
            kept.map((k) => k.rest.length),
            kept.map((k) => JSON.stringify(k.rest)),
          ],
        });
      };

      const source: ConsumerLoopSource<T> = {
        assignment,
        async fetch(owned) {
          // Each owned partition's oldest available segments, a fair share of `batchSize` events
          // each (one segment may overshoot it; the loop below cuts the batch to `batchSize`):
          // any prefix of a partition keeps its order, and the index walks each one in order.
          const perPartition = Math.ceil(batchSize / owned.length);
          const { rows } = await pool.query<Row>({
            name: 'events-fetch',
            text: `SELECT m.seq, m.part, m.data, m.attempts, m.published_at
             FROM unnest($3::int[]) AS p(part)
             CROSS JOIN LATERAL (
               SELECT * FROM (
                 SELECT seq, part, count, data, attempts, published_at,
                   sum(count) OVER (ORDER BY seq) AS upto
                 FROM events.segments
                 WHERE stream = $1 AND grp = $2 AND part = p.part AND available_at <= now()
                 ORDER BY seq LIMIT $4
               ) s WHERE upto - count < $4
             ) m
             ORDER BY m.seq`,
            values: [options.stream, options.group, owned, perPartition],
          });
          const batch: Delivery<T>[] = [];
          const split = new Set<number>();
          for (const r of rows) {
            // After a split segment, the rest of its partition waits for the next batch.
            if (split.has(r.part)) continue;
            const events = JSON.parse(r.data) as Stored[];
            const room = batchSize - batch.length;
            if (room === 0) break;
            const taken = events.length > room ? events.slice(0, room) : events;
            const segment: Segment = {
              seq: r.seq,
              unsettled: taken.length,
              rest: taken === events ? [] : events.slice(room),
            };
            if (segment.rest.length > 0) split.add(r.part);
            for (const [id, key, data] of taken) {
              const d: Delivery<T> = {
                id,
                key,
                data: data as T,
                partition: r.part,
                attempt: r.attempts + 1,
                publishedAt: r.published_at,
              };
              segmentOf.set(d, segment);
              batch.push(d);
            }
          }
          return batch;
        },
        ack: settle,
        async fail(d, error) {
          // The event goes on alone: a segment of one, or a dead letter. Written before its
          // segment is settled, so a crash in between can only deliver it twice, never lose it.
          const event = [
            options.stream,
            options.group,
            d.partition,
            d.id,
            d.key,
            JSON.stringify(d.data ?? null),
            d.attempt,
            error,
          ];
          if (d.attempt >= maxAttempts) {
            await options.deadLetter?.(d, error);
            await pool.query(
              `INSERT INTO events.dead_letters (stream, grp, part, id, key, data, attempts, error)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
              event,
            );
          } else {
            await pool.query(
              `INSERT INTO events.segments (stream, grp, part, count, data, attempts, last_error, available_at)
               VALUES ($1, $2, $3, 1, json_build_array(json_build_array($4::uuid, $5::text, $6::json))::text,
                 $7, $8, now() + $9::interval)`,
              [...event, `${retryDelay(baseDelay, d.attempt)} milliseconds`],
            );
          }
          await settle([d]);
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
        'SELECT coalesce(sum(count), 0) AS n FROM events.segments WHERE stream = $1 AND grp = $2',
        [stream, group],
      );
      return Number(rows[0]!.n);
    },

    async deadLetters(stream, group, limit = 100): Promise<DeadLetter[]> {
      const { rows } = await pool.query<
        Omit<Row, 'seq' | 'published_at'> & { id: string; key: string; error: string; failed_at: Date }
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
