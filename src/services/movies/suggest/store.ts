import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { NeighbourRow, PopularityRow } from './model.js';

/** A build of the suggestion model as rows: what PostgreSQL keeps and every instance loads. */
export interface StoredModel {
  neighbours: NeighbourRow[];
  popularity: PopularityRow[];
  globalMean: number;
}

/** Which ratings a build saw: a new or changed rating, or a deleted one, changes it. */
export interface RatingsSignature {
  count: number;
  lastAt: string | null;
}

export interface ModelVersion {
  version: number;
  builtAt: string | null;
  buildMs: number | null;
}

export async function ratingsSignature(pool: pg.Pool | pg.PoolClient): Promise<RatingsSignature> {
  const { rows } = await pool.query<{ count: number; last_at: string | null }>(
    'SELECT count(*)::int AS count, max(rated_at)::text AS last_at FROM movies.ratings',
  );
  return { count: rows[0]!.count, lastAt: rows[0]!.last_at };
}

export async function builtSignature(pool: pg.Pool | pg.PoolClient): Promise<RatingsSignature> {
  const { rows } = await pool.query<{ count: number; last_at: string | null }>(
    'SELECT ratings_count::int AS count, ratings_last_at::text AS last_at FROM movies.model',
  );
  return { count: rows[0]!.count, lastAt: rows[0]!.last_at };
}

export async function modelVersion(pool: pg.Pool): Promise<ModelVersion> {
  const { rows } = await pool.query<{ version: number; built_at: string | null; build_ms: number | null }>(
    'SELECT version::int AS version, built_at::text AS built_at, build_ms FROM movies.model',
  );
  const row = rows[0]!;
  return { version: row.version, builtAt: row.built_at, buildMs: row.build_ms };
}

/** Every rating, streamed in one pass for a build. */
export async function* allRatings(
  client: pg.PoolClient,
  batch = 50_000,
): AsyncGenerator<{ user: number; movie: number; score: number }> {
  // A server-side cursor inside the caller's transaction: a million ratings never sit in one result.
  await client.query(
    'DECLARE all_ratings NO SCROLL CURSOR FOR SELECT user_id::int, movie_id::int, score FROM movies.ratings',
  );
  for (;;) {
    const { rows } = await client.query<{ user_id: number; movie_id: number; score: number }>(
      `FETCH ${batch} FROM all_ratings`,
    );
    for (const r of rows) yield { user: r.user_id, movie: r.movie_id, score: r.score };
    if (rows.length < batch) break;
  }
  await client.query('CLOSE all_ratings');
}

function tsv(rows: Iterable<(number | string)[]>): Readable {
  return Readable.from(
    (function* () {
      let chunk = '';
      for (const row of rows) {
        chunk += row.join('\t') + '\n';
        if (chunk.length > 1 << 16) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    })(),
  );
}

/**
 * Replaces the stored build with `rows` in one transaction and bumps the version, so every
 * instance sees the old build or the new one whole. Returns the new version.
 */
export async function writeModel(
  client: pg.PoolClient,
  rows: StoredModel,
  seen: RatingsSignature,
  buildMs: number,
): Promise<number> {
  // TRUNCATE waits for readers of the old build (a reload in flight) and then swaps at commit.
  await client.query('TRUNCATE movies.neighbours, movies.popularity');
  await pipeline(
    tsv(rows.neighbours.map((n) => [n.movie, n.neighbour, n.sim])),
    client.query(copyFrom('COPY movies.neighbours (movie_id, neighbour_id, sim) FROM STDIN')),
  );
  await pipeline(
    tsv(rows.popularity.map((p) => [p.movie, p.score, p.count, p.mean])),
    client.query(copyFrom('COPY movies.popularity (movie_id, score, ratings, mean) FROM STDIN')),
  );
  const { rows: out } = await client.query<{ version: number }>(
    `UPDATE movies.model SET version = version + 1, built_at = now(), build_ms = $1, global_mean = $2,
       ratings_count = $3, ratings_last_at = $4::timestamptz
     RETURNING version::int AS version`,
    [Math.round(buildMs), rows.globalMean, seen.count, seen.lastAt],
  );
  return out[0]!.version;
}

/** The stored build, for an instance to serve from. */
export async function readModel(pool: pg.Pool): Promise<StoredModel & { version: number }> {
  const client = await pool.connect();
  try {
    // One snapshot: the three reads belong to the same build even while a new one commits.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const head = await client.query<{ version: number; global_mean: number | null }>(
      'SELECT version::int AS version, global_mean FROM movies.model',
    );
    const neighbours = await client.query<NeighbourRow>({
      text: 'SELECT movie_id::int AS movie, neighbour_id::int AS neighbour, sim FROM movies.neighbours ORDER BY movie_id, sim DESC',
    });
    const popularity = await client.query<PopularityRow>(
      'SELECT movie_id::int AS movie, score, ratings AS count, mean FROM movies.popularity ORDER BY score DESC, movie_id',
    );
    await client.query('COMMIT');
    return {
      version: head.rows[0]!.version,
      globalMean: head.rows[0]!.global_mean ?? 0,
      neighbours: neighbours.rows,
      popularity: popularity.rows,
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
