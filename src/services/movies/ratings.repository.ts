import { sql } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import type { Rating } from './ratings.schema.js';

export type RatingOutcome = Rating | 'no user' | 'no movie';

/**
 * Sets the user's score for the movie, replacing an earlier one, in one statement that also says
 * which of the two is missing when nothing was written.
 */
export async function upsertRating(
  db: AnyDb,
  userId: number,
  movieId: number,
  score: number,
): Promise<RatingOutcome> {
  try {
    const { rows } = await sql<Partial<Rating> & { has_user: boolean; has_movie: boolean }>`
      WITH u AS (SELECT id FROM movies.users WHERE id = ${userId}),
           m AS (SELECT id FROM movies.movies WHERE id = ${movieId}),
           written AS (
             INSERT INTO movies.ratings (user_id, movie_id, score)
             SELECT u.id, m.id, ${score} FROM u, m
             ON CONFLICT (user_id, movie_id) DO UPDATE SET score = excluded.score, rated_at = now()
             RETURNING user_id, movie_id, score, rated_at)
      SELECT exists(SELECT 1 FROM u) AS has_user, exists(SELECT 1 FROM m) AS has_movie, written.*
      FROM (SELECT 1) AS one LEFT JOIN written ON true`.execute(db);
    const row = rows[0]!;
    if (!row.has_user) return 'no user';
    if (!row.has_movie) return 'no movie';
    const { user_id, movie_id, rated_at } = row;
    return { user_id: user_id!, movie_id: movie_id!, score: row.score!, rated_at: rated_at! };
  } catch (err) {
    // The movie was deleted between the lookup and the insert's foreign-key check.
    if ((err as { code?: string }).code === '23503') return 'no movie';
    throw err;
  }
}
