import type pg from 'pg';
import { movies } from '../../src/services/movies/index.js';
import { startTestApp, testPool, type TestApp } from '../helpers.js';
import { client, type Client } from '../shop/client.js';

export { expectProblem, type Answer } from '../shop/client.js';

export const aMovie = (over: Record<string, unknown> = {}) => ({
  name: 'The Matrix',
  release_year: 1999,
  description: 'A hacker learns the world is a simulation.',
  genre: 'SciFi',
  ...over,
});

export const VALID_GENRES =
  "['action', 'comedy', 'romance', 'scifi', 'horror', 'drama', 'thriller', 'animation', 'documentary', 'fantasy']";

/** Beyond any row's id, and a JSON number that is still exact. */
export const MISSING_ID = 2 ** 53 - 1;

export interface MoviesApp {
  app: TestApp;
  http: Client;
  /** For checking what the tables hold, beside the API. */
  pool: pg.Pool;
  count(table: 'movies' | 'users' | 'ratings'): Promise<number>;
  close(): Promise<void>;
}

/** Movies served alone on a fresh database, with a client and a pool onto its tables. */
export async function moviesApp(): Promise<MoviesApp> {
  const app = await startTestApp([movies], {}, { workers: false });
  const http = client(app.url);
  const pool = testPool(app.databaseUrl, 2);
  return {
    app,
    http,
    pool,
    async count(table) {
      const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM movies.${table}`);
      return rows[0]!.n;
    },
    async close() {
      await http.close();
      await pool.end();
      await app.close();
    },
  };
}
