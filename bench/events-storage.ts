/**
 * What a stored event costs PostgreSQL through the events adapter itself
 * (src/platform/events/postgres.ts, on the schema its migrations create): publishes of 1,000
 * events each, then one consumer taking them all (fetch, acknowledge, delete). Once with the
 * segments stored uncompressed, as shipped, once with PostgreSQL's default pglz compression.
 * The yardsticks, in the same run: a bare COPY of the same events into a table with no index,
 * one row each, and a bare COPY of them out. Prints events/s, the ratio to the yardstick and the
 * PostgreSQL CPU per event (read from /proc, so Linux only).
 *
 *   npm run bench:events                 # embedded PostgreSQL under .data/bench-events
 *   ROUNDS=20 npm run bench:events       # publishes per way (default 100)
 *   DATABASE_URL=postgres://… npm run bench:events
 *
 * Works in a scratch database of its own, dropped at the end.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { createDatabase } from '../src/platform/db/database.js';
import { startEmbeddedPostgres } from '../src/platform/db/embedded.js';
import { migrateService } from '../src/platform/db/migrate.js';
import type { EventBus, NewEvent } from '../src/platform/events/events.js';
import { createPostgresBus } from '../src/platform/events/postgres.js';
import { eventsSchema } from '../src/platform/events/start.js';
import { createLogger } from '../src/platform/logger.js';
import { checkCpu } from '../src/scenarios/cpu-check.js';
import { describeMachine, environmentLines } from '../src/scenarios/environment.js';
import { measurePostgres, ratioTable, type Figure } from './postgres-cpu.js';

const ROUNDS = Number(process.env.ROUNDS ?? 100);
const PER_PUBLISH = 1000;
const PARTITIONS = 16;
const TOTAL = ROUNDS * PER_PUBLISH;
const STREAM = 'bench';
const GROUP = 'bench';

/** An interaction as the tracking intake publishes it, keyed by its campaign. */
const event = (i: number): NewEvent => {
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
const publishes = () =>
  Array.from({ length: ROUNDS }, () => Array.from({ length: PER_PUBLISH }, (_, i) => event(i)));

const measure = <T>(label: string, steps: T[], step: (item: T) => Promise<unknown>) =>
  measurePostgres(label, 'event', TOTAL, steps, step);

/** One consumer of the group until every event was handed to it and acknowledged. */
async function consumeAll(bus: EventBus, count: number): Promise<void> {
  let handled = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const consumer = await bus.consume({
    stream: STREAM,
    group: GROUP,
    async handle(batch) {
      handled += batch.length;
      if (handled >= count) done();
    },
  });
  await all;
  // Acknowledges (deletes) the last batch.
  await consumer.stop();
}

async function bothWays(bus: EventBus, storage: string): Promise<Figure[]> {
  const write = await measure(`publish, ${storage}`, publishes(), (events) => bus.publish(STREAM, events));
  const read = await measure(`consume + acknowledge, ${storage}`, [undefined], () => consumeAll(bus, TOTAL));
  const left = await bus.pending(STREAM, GROUP);
  if (left !== 0) throw new Error(`${left} events left unacknowledged after consuming them all`);
  return [write, read];
}

/** COPY text format: a backslash starts an escape, so it is doubled (JSON escapes the rest). */
const copyLine = (e: NewEvent) => `${e.id}\t${e.key}\t${JSON.stringify(e.data).replace(/\\/g, '\\\\')}\n`;

async function bareCopies(pool: pg.Pool): Promise<{ into: Figure; out: Figure }> {
  await pool.query('CREATE TABLE bare_copy (id uuid NOT NULL, key text NOT NULL, data text NOT NULL)');
  const client = await pool.connect();
  try {
    const into = await measure('bare COPY in, no index', publishes(), (events) =>
      pipeline(
        Readable.from([events.map(copyLine).join('')]),
        client.query(copyFrom('COPY bare_copy (id, key, data) FROM STDIN')),
      ),
    );
    const out = await measure('bare COPY out, then TRUNCATE', [undefined], async () => {
      let rest = '';
      let seen = 0;
      await pipeline(
        client.query(copyTo('COPY bare_copy (id, key, data) TO STDOUT')),
        new Writable({
          write(chunk: Buffer, _enc, next) {
            const lines = (rest + chunk.toString()).split('\n');
            rest = lines.pop()!;
            for (const line of lines) JSON.parse(line.split('\t')[2]!.replace(/\\\\/g, '\\'));
            seen += lines.length;
            next();
          },
        }),
      );
      if (seen !== TOTAL) throw new Error(`COPY out gave ${seen} rows, not ${TOTAL}`);
      await client.query('TRUNCATE bare_copy');
    });
    return { into, out };
  } finally {
    client.release();
  }
}

const log = createLogger('warn');
const embedded = process.env.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres(path.resolve('.data/bench-events'), log);
const serverUrl = process.env.DATABASE_URL ?? embedded!.url;
const name = `bench_events_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
// The pool the adapter gets in the product, smaller: one publisher and one consumer at a time.
const database = createDatabase({ url: url.toString(), poolSize: 4 }, log);
const bus = createPostgresBus({ pool: database.pool, log });
try {
  await migrateService(database.db, eventsSchema, log);
  await bus.declare({ name: STREAM, partitions: PARTITIONS, groups: [GROUP] });
  const { rows } = await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  for (const line of environmentLines(describeMachine(await checkCpu(), rows[0]?.v))) console.log(line);
  console.log(`${ROUNDS} publishes of ${PER_PUBLISH} events over ${PARTITIONS} partitions, each way`);
  // The first publishes of a fresh database cost more (caches, the table's first pages): a few
  // go first, not counted.
  for (const events of publishes().slice(0, 5)) await bus.publish(STREAM, events);
  await consumeAll(bus, 5 * PER_PUBLISH);

  // EXTERNAL: stored out of line, uncompressed (the adapter's migration); EXTENDED: PostgreSQL's
  // default, compressed with pglz.
  const shipped = await bothWays(bus, 'as shipped (uncompressed)');
  await database.pool.query('ALTER TABLE events.segments ALTER COLUMN data SET STORAGE EXTENDED');
  const compressed = await bothWays(bus, 'pglz-compressed (EXTENDED)');
  const { into, out } = await bareCopies(database.pool);

  console.log(`\n${new Date().toISOString().slice(0, 10)}, ${PER_PUBLISH} events per publish\n`);
  for (const line of ratioTable('event', [shipped[0]!, compressed[0]!], into)) console.log(line);
  console.log('');
  for (const line of ratioTable('event', [shipped[1]!, compressed[1]!], out)) console.log(line);
} finally {
  await bus.close();
  await database.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  await admin.end();
  await embedded?.stop();
}
