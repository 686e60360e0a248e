import type pg from 'pg';
import { isDbUnreachable } from '../../../platform/db/last-good.js';
import type { Logger } from '../../../platform/logger.js';
import type { Genre } from '../genres.js';
import { buildRows } from './serve-model.js';
import { allRatings, builtSignature, ratingsSignature, writeModel } from './store.js';

// Any constant of our own, so one builder runs at a time across every instance.
const BUILD_LOCK = 0x6d6f7669; // 'movi'

export type BuildOutcome =
  { built: false; reason: string } | { built: true; version: number; ms: number; ratings: number };

/**
 * Rebuilds the stored model when the ratings changed since the last build. One instance at a time
 * builds (a transaction-scoped advisory lock; the others skip), and the new build replaces the old
 * in the same transaction, so any number of instances may run this loop.
 */
export async function buildIfChanged(pool: pg.Pool, log: Logger): Promise<BuildOutcome> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_xact_lock($1) AS locked',
      [BUILD_LOCK],
    );
    if (!rows[0]!.locked) {
      await client.query('ROLLBACK');
      return { built: false, reason: 'another instance is building' };
    }
    const seen = await ratingsSignature(client);
    const built = await builtSignature(client);
    if (seen.count === built.count && seen.lastAt === built.lastAt) {
      await client.query('ROLLBACK');
      return { built: false, reason: 'no new ratings' };
    }
    const started = performance.now();
    const movies = await client.query<{ id: number; genre: Genre; year: number | null }>(
      'SELECT id::int AS id, genre, release_year AS year FROM movies.movies',
    );
    const ratings: { user: number; movie: number; score: number }[] = [];
    for await (const r of allRatings(client)) ratings.push(r);
    const modelRows = buildRows(movies.rows, ratings);
    const ms = performance.now() - started;
    const version = await writeModel(client, modelRows, seen, ms);
    await client.query('COMMIT');
    log.info({ version, ratings: ratings.length, ms: Math.round(ms) }, 'suggestions: model built');
    return { built: true, version, ms, ratings: ratings.length };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Builds now, then every `intervalMs`; returns the function that stops it. */
export function startRefreshLoop(pool: pg.Pool, log: Logger, intervalMs: number): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = buildIfChanged(pool, log).catch((err: unknown) => {
      if (isDbUnreachable(err)) log.debug({ err }, 'suggestions: database unreachable, build skipped');
      else log.error({ err }, 'suggestions: build failed');
    });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
