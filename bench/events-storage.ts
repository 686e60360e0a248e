/**
 * What a stored event costs PostgreSQL: one row per event (the events adapter's first layout)
 * against one row per published partition (segments, its layout now). Writes the same events
 * both ways, then fetches and deletes them, and prints events/s and the PostgreSQL CPU spent per
 * event (read from /proc, so Linux only).
 *
 *   npm run bench:events                 # embedded PostgreSQL under .data/bench-events
 *   DATABASE_URL=postgres://… npm run bench:events
 *
 * Tables go in a scratch schema, bench_events, dropped at the end.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/platform/db/embedded.js';
import { createLogger } from '../src/platform/logger.js';
import { measurePostgres } from './postgres-cpu.js';

const ROUNDS = Number(process.env.ROUNDS ?? 100);
const PER_PUBLISH = 1000;
const PARTITIONS = 16;

const event = (i: number) => {
  const at = new Date().toISOString();
  const campaign = `c${i % 200}`;
  return {
    id: randomUUID(),
    key: campaign,
    data: {
      interaction_type: 'click',
      target_element_id: `banner-${i % 1000}`,
      target_element_type: 'banner',
      campaign_id: campaign,
      timestamp: at,
      received_at: at,
    },
  };
};
type Event = ReturnType<typeof event>;

const measure = (label: string, publishes: Event[][], step: (events: Event[]) => Promise<unknown>) =>
  measurePostgres(label, 'event', publishes.length * PER_PUBLISH, publishes, step);

const log = createLogger('warn');
const embedded = process.env.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres(path.resolve('.data/bench-events'), log);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL ?? embedded!.url, max: 2 });
try {
  await pool.query(`
    DROP SCHEMA IF EXISTS bench_events CASCADE;
    CREATE SCHEMA bench_events;
    CREATE TABLE bench_events.rows (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, stream text NOT NULL, grp text NOT NULL,
      part integer NOT NULL, id uuid NOT NULL, key text NOT NULL, data text NOT NULL);
    CREATE INDEX ON bench_events.rows (stream, grp, part, seq);
    CREATE TABLE bench_events.segments (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, stream text NOT NULL, grp text NOT NULL,
      part integer NOT NULL, count integer NOT NULL, data text NOT NULL);
    CREATE INDEX ON bench_events.segments (stream, grp, part, seq);`);
  const publishes = () =>
    Array.from({ length: ROUNDS }, () => Array.from({ length: PER_PUBLISH }, (_, i) => event(i)));
  /** As many rounds as publishes, for the read side (it takes what is stored). */
  const rounds = () => Array.from({ length: ROUNDS }, (): Event[] => []);
  console.log(`${ROUNDS} publishes of ${PER_PUBLISH} events over ${PARTITIONS} partitions, each way`);

  await measure('one row per event: write', publishes(), (events) =>
    pool.query(
      `INSERT INTO bench_events.rows (stream, grp, part, id, key, data)
       SELECT 's', 'g', e.n % ${PARTITIONS}, e.id, e.key, e.data
       FROM unnest($1::uuid[], $2::text[], $3::text[]) WITH ORDINALITY AS e(id, key, data, n)`,
      [events.map((e) => e.id), events.map((e) => e.key), events.map((e) => JSON.stringify(e.data))],
    ),
  );
  await measure('one row per event: fetch + delete', rounds(), async () => {
    const { rows } = await pool.query<{ seq: string; data: string }>(
      `SELECT seq, data FROM bench_events.rows ORDER BY seq LIMIT ${PER_PUBLISH}`,
    );
    rows.forEach((r) => JSON.parse(r.data));
    await pool.query('DELETE FROM bench_events.rows WHERE seq = ANY($1::bigint[])', [rows.map((r) => r.seq)]);
  });

  // EXTERNAL: stored out of line, uncompressed (the adapter's choice); EXTENDED: PostgreSQL's
  // default, compressed with pglz.
  for (const storage of ['EXTERNAL', 'EXTENDED']) {
    await pool.query(
      `TRUNCATE bench_events.segments; ALTER TABLE bench_events.segments ALTER COLUMN data SET STORAGE ${storage}`,
    );
    await measure(`segments (${storage}): write`, publishes(), (events) => {
      const parts = Array.from({ length: PARTITIONS }, (_, p) =>
        JSON.stringify(events.filter((_, i) => i % PARTITIONS === p).map((e) => [e.id, e.key, e.data])),
      );
      return pool.query(
        `INSERT INTO bench_events.segments (stream, grp, part, count, data)
         SELECT 's', 'g', e.n - 1, ${PER_PUBLISH / PARTITIONS}, e.data FROM unnest($1::text[]) WITH ORDINALITY AS e(data, n)`,
        [parts],
      );
    });
    await measure(`segments (${storage}): fetch + delete`, rounds(), async () => {
      const { rows } = await pool.query<{ seq: string; data: string }>(
        `SELECT seq, data FROM bench_events.segments ORDER BY seq LIMIT ${PARTITIONS}`,
      );
      rows.forEach((r) => JSON.parse(r.data));
      await pool.query('DELETE FROM bench_events.segments WHERE seq = ANY($1::bigint[])', [
        rows.map((r) => r.seq),
      ]);
    });
  }
} finally {
  await pool.query('DROP SCHEMA IF EXISTS bench_events CASCADE').catch(() => undefined);
  await pool.end();
  await embedded?.stop();
}
