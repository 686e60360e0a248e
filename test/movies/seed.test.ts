import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { main } from '../../src/cli/program.js';
import { demoCatalogue, DEMO_CATALOGUE } from '../../src/services/movies/seed.js';
import { generateCatalogue } from '../../src/services/movies/suggest/generator.js';
import { createTestDatabase, testPool } from '../helpers.js';
import { tempDir } from '../process.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = testPool(database.url, 2);
});
afterAll(async () => {
  await pool.end();
  await database.drop();
});

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    env: { LOG_LEVEL: 'silent', DATA_DIR: await tempDir(), DATABASE_URL: database.url },
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

async function counts() {
  const { rows } = await pool.query<{ movies: string; users: string; ratings: string }>(`
    SELECT (SELECT count(*) FROM movies.movies) AS movies, (SELECT count(*) FROM movies.users) AS users,
           (SELECT count(*) FROM movies.ratings) AS ratings`);
  return {
    movies: Number(rows[0]!.movies),
    users: Number(rows[0]!.users),
    ratings: Number(rows[0]!.ratings),
  };
}

describe('crucible seed movies', () => {
  it('loads the generated catalogue with COPY, the rows the generator makes, and builds the model', async () => {
    const { code, stdout, stderr } = await cli([
      'seed',
      'movies',
      '--movies',
      '500',
      '--users',
      '300',
      '--ratings',
      '20000',
      '--seed',
      '3',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /replaced the catalogue with 500 movies, 300 users and 20,000 ratings \(seed 3\) in [\d.]+ s/,
    );
    expect(stdout).toMatch(/suggestion model built in [\d.]+ s/);
    expect(await counts()).toEqual({ movies: 500, users: 300, ratings: 20_000 });

    const cat = generateCatalogue({ movies: 500, users: 300, ratings: 20_000, seed: 3 });
    const movies = [...cat.movieRows()];
    const { rows } = await pool.query(
      'SELECT id::int, name, release_year, description, genre FROM movies.movies WHERE id IN (1, 250, 500) ORDER BY id',
    );
    expect(rows).toEqual([movies[0], movies[249], movies[499]]);
    const first = [...cat.ratingRows()].slice(0, 5);
    const stored = await pool.query<{ user: number; movie: number; score: number }>(
      `SELECT user_id::int AS user, movie_id::int AS movie, score FROM movies.ratings
       WHERE user_id = $1 ORDER BY movie_id`,
      [first[0]!.user],
    );
    for (const r of first.filter((f) => f.user === first[0]!.user)) expect(stored.rows).toContainEqual(r);
    const model = await pool.query<{ version: string }>('SELECT version FROM movies.model');
    expect(Number(model.rows[0]!.version)).toBeGreaterThan(0);

    // The keys, foreign keys and indexes dropped for the load are back.
    const twice = pool.query(
      'INSERT INTO movies.ratings (user_id, movie_id, score) SELECT user_id, movie_id, 3 FROM movies.ratings LIMIT 1',
    );
    await expect(twice).rejects.toMatchObject({ code: '23505' });
    const orphan = pool.query('INSERT INTO movies.ratings (user_id, movie_id, score) VALUES (1, 99999, 3)');
    await expect(orphan).rejects.toMatchObject({ code: '23503' });
    const indexes = await pool.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE schemaname = 'movies' AND tablename = 'ratings' ORDER BY 1",
    );
    expect(indexes.rows.map((r) => r.indexname)).toEqual([
      'ratings_movie',
      'ratings_pkey',
      'ratings_rated_at',
    ]);
    const cascade = await pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_constraint WHERE conrelid = 'movies.ratings'::regclass AND contype = 'f' AND confdeltype = 'c'",
    );
    expect(Number(cascade.rows[0]!.n)).toBe(2);

    // The identities continue after the loaded ids.
    const next = await pool.query<{ id: string }>(
      "INSERT INTO movies.movies (name, genre) VALUES ('After the seed', 'drama') RETURNING id",
    );
    expect(Number(next.rows[0]!.id)).toBe(501);
    const user = await pool.query<{ id: string }>(
      "INSERT INTO movies.users (name) VALUES ('New') RETURNING id",
    );
    expect(Number(user.rows[0]!.id)).toBe(301);
  });

  it('replaces what was there, and the demo seed then leaves a catalogue alone', async () => {
    const again = await cli(['seed', 'movies', '--movies', '100', '--users', '50', '--ratings', '1000']);
    expect(again.code).toBe(0);
    expect(await counts()).toEqual({ movies: 100, users: 50, ratings: 1000 });
    const demo = await cli(['seed', 'movies']);
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain('demo not loaded');
    expect(await counts()).toEqual({ movies: 100, users: 50, ratings: 1000 });
  });

  it('loads the demo catalogue into an empty one', async () => {
    await pool.query('TRUNCATE movies.ratings, movies.users, movies.movies');
    const demo = await cli(['seed', 'movies']);
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain('loaded the demo catalogue, 300 movies, 200 users, 5000 ratings');
    expect(await counts()).toEqual({
      movies: DEMO_CATALOGUE.movies,
      users: DEMO_CATALOGUE.users,
      ratings: DEMO_CATALOGUE.ratings,
    });
    // What `serve --demo` calls on every start: nothing the second time.
    expect(await demoCatalogue({ pool })).toBeUndefined();
    expect((await counts()).ratings).toBe(DEMO_CATALOGUE.ratings);
  });

  it('refuses the size flags for another service and a bad size', async () => {
    const other = await cli(['seed', 'shop', '--movies', '10']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('for `crucible seed movies` only');
    const bad = await cli(['seed', 'movies', '--users', '0']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('must be an integer from 1 to');
    expect(await counts()).toMatchObject({ movies: 300 });
  });
});
