import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { movies } from '../../src/services/movies/index.js';
import { buildIfChanged } from '../../src/services/movies/suggest/refresh.js';
import { startTestApp, testPool, type TestApp } from '../helpers.js';
import { client, type Client } from '../shop/client.js';
import { aMovie, expectProblem, MISSING_ID, VALID_GENRES } from './fixtures.js';

/**
 * Two tastes, made by hand: scifi fans rate scifi high and comedy low, comedy fans the other way.
 * A new scifi fan who rated two scifi movies should be offered the third scifi movie first.
 */
let app: TestApp;
let http: Client;
let pool: pg.Pool;
let logDir: string;
const log = createLogger('silent');
const ids: Record<string, number> = {};
const users: Record<string, number> = {};

const rate = async (user: number, movie: number, score: number) => {
  const res = await http.put(`/users/${user}/ratings/${movie}`, { score });
  expect(res.status).toBe(200);
};

/** Until the served build is the latest stored one (instances look every second). */
async function servedLatest() {
  const { rows } = await pool.query<{ version: number }>('SELECT version::int AS version FROM movies.model');
  const deadline = Date.now() + 5_000;
  for (;;) {
    const res = await http.get(`/users/${users.fan}/recommendations`);
    if (res.status === 200 && res.body.length > 0 && rows[0]!.version > 0) {
      // The instance logs nothing to us, so wait one sync period beyond a first answer.
      await new Promise((r) => setTimeout(r, 1_100));
      return;
    }
    if (Date.now() > deadline) throw new Error('the instance never served a build');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  logDir = await mkdtemp(path.join(tmpdir(), 'crucible-movies-log-'));
  app = await startTestApp([movies], { LOG_DIR: logDir }, { workers: false });
  http = client(app.url);
  pool = testPool(app.databaseUrl, 2);
  for (const [key, genre, year] of [
    ['dune', 'scifi', 2021],
    ['alien', 'scifi', 1979],
    ['matrix', 'scifi', 1999],
    ['airplane', 'comedy', 1980],
    ['hangover', 'comedy', 2009],
    ['clueless', 'comedy', 1995],
  ] as const) {
    ids[key] = (await http.post('/movie', aMovie({ name: key, genre, release_year: year }))).body.id;
  }
  for (const name of ['s1', 's2', 's3', 's4', 'c1', 'c2', 'c3', 'c4', 'fan', 'newcomer']) {
    users[name] = (await http.post('/users', { name })).body.id;
  }
  for (const s of ['s1', 's2', 's3', 's4']) {
    for (const m of ['dune', 'alien', 'matrix']) await rate(users[s]!, ids[m]!, 5);
    for (const m of ['airplane', 'hangover', 'clueless']) await rate(users[s]!, ids[m]!, 1);
  }
  for (const c of ['c1', 'c2', 'c3', 'c4']) {
    for (const m of ['dune', 'alien']) await rate(users[c]!, ids[m]!, 2);
    for (const m of ['airplane', 'hangover', 'clueless']) await rate(users[c]!, ids[m]!, 5);
  }
  await rate(users.fan!, ids.dune!, 5);
  await rate(users.fan!, ids.alien!, 5);
  expect(await buildIfChanged(pool, log)).toMatchObject({ built: true, version: 1 });
  await servedLatest();
});
afterAll(async () => {
  await http?.close();
  await pool?.end();
  await app?.close();
});

describe('GET /users/{id}/recommendations', () => {
  it('offers what users of the same taste liked first, and never what the user rated', async () => {
    const res = await http.get(`/users/${users.fan}/recommendations`);
    expect(res.status).toBe(200);
    const names = res.body.map((r: { movie: { name: string } }) => r.movie.name);
    expect(names[0]).toBe('matrix');
    expect(names).not.toContain('dune');
    expect(names).not.toContain('alien');
    expect(res.body[0]).toEqual({
      movie: {
        id: ids.matrix,
        name: 'matrix',
        release_year: 1999,
        description: expect.any(String),
        genre: 'scifi',
      },
      score: expect.any(Number),
      reason: expect.any(String),
    });
    const scores = res.body.map((r: { score: number }) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    // The repeat is the kept JSON of the same answer: the same type and the same body.
    const again = await http.get(`/users/${users.fan}/recommendations`);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(again.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(again.body).toEqual(res.body);
  });

  it('answers a user with no ratings with the movies rated most and best', async () => {
    const res = await http.get(`/users/${users.newcomer}/recommendations?limit=3`);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(3);
    const { rows } = await pool.query<{ movie: number }>(
      'SELECT movie_id::int AS movie FROM movies.popularity ORDER BY score DESC, movie_id LIMIT 3',
    );
    expect(res.body.map((r: { movie: { id: number } }) => r.movie.id)).toEqual(rows.map((r) => r.movie));
  });

  it('keeps to one genre, given in any case, and to the limit', async () => {
    const res = await http.get(`/users/${users.newcomer}/recommendations?genre=COMEDY&limit=2`);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(2);
    for (const r of res.body) expect(r.movie.genre).toBe('comedy');
  });

  it('drops a movie at once after the user rates it here', async () => {
    const user = (await http.post('/users', { name: 'late fan' })).body.id;
    await rate(user, ids.dune!, 5);
    const before = await http.get(`/users/${user}/recommendations`);
    expect(before.body.map((r: { movie: { id: number } }) => r.movie.id)).toContain(ids.matrix);
    await rate(user, ids.matrix!, 4);
    const after = await http.get(`/users/${user}/recommendations`);
    expect(after.body.map((r: { movie: { id: number } }) => r.movie.id)).not.toContain(ids.matrix);
  });

  it('sees a rating another instance wrote within a few seconds, and a user it created at once', async () => {
    const user = (await http.post('/users', { name: 'fan elsewhere' })).body.id;
    await rate(user, ids.dune!, 5);
    const ranked = async () =>
      (await http.get(`/users/${user}/recommendations`)).body.map(
        (r: { movie: { id: number } }) => r.movie.id,
      );
    expect(await ranked()).toContain(ids.matrix);
    // Written as another instance would: this one hears of it only from its sync.
    await pool.query('INSERT INTO movies.ratings (user_id, movie_id, score) VALUES ($1, $2, 4)', [
      user,
      ids.matrix,
    ]);
    const deadline = Date.now() + 5_000;
    while ((await ranked()).includes(ids.matrix) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(await ranked()).not.toContain(ids.matrix);

    const missing = await pool.query<{ id: string }>('SELECT max(id) + 1000 AS id FROM movies.users');
    const later = Number(missing.rows[0]!.id);
    expect((await http.get(`/users/${later}/recommendations`)).status).toBe(404);
    await pool.query('INSERT INTO movies.users (id, name) OVERRIDING SYSTEM VALUE VALUES ($1, $2)', [
      later,
      'made elsewhere',
    ]);
    expect((await http.get(`/users/${later}/recommendations`)).status).toBe(200);
  });

  it('answers an unknown user with 404, a bad genre, limit or id with 400', async () => {
    expectProblem(await http.get(`/users/${MISSING_ID}/recommendations`), 404, /^User not found$/);
    const genre = await http.get(`/users/${users.fan}/recommendations?genre=western`);
    expectProblem(genre, 400, /^Invalid genre provided/);
    expect(genre.body.detail).toBe(`Invalid genre provided, valid genres are ${VALID_GENRES}`);
    for (const q of ['limit=0', 'limit=101', 'limit=ten', `genre=${'x'.repeat(200)}`]) {
      expectProblem(await http.get(`/users/${users.fan}/recommendations?${q}`), 400, /limit|genre/);
    }
    for (const id of ['0', '-1', 'abc', '9007199254740993']) {
      expectProblem(await http.get(`/users/${id}/recommendations`), 400, /id/);
    }
  });

  it('writes one line per request to the daily log, success or failure', async () => {
    const files = await readdir(logDir);
    expect(files.length).toBe(1);
    expect(files[0]).toMatch(/^log_\d{2}_\d{2}_\d{4}\.log$/);
    const lines = (await readFile(path.join(logDir, files[0]!), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const ok = lines.filter((l) => l.outcome === 'Exito en Ejecucion');
    const failed = lines.filter((l) => l.outcome === 'Error en Ejecucion');
    expect(ok.length).toBeGreaterThan(3);
    expect(failed.length).toBeGreaterThanOrEqual(9);
    expect(lines.every((l) => l.route === '/users/:id/recommendations')).toBe(true);
    expect(ok.some((l) => l.user === String(users.fan))).toBe(true);
  });
});

describe('GET /movie/{id}/similar', () => {
  it('names the movies rated like it, closest first', async () => {
    const res = await http.get(`/movie/${ids.dune}/similar?limit=2`);
    expect(res.status).toBe(200);
    expect(res.body.map((r: { movie: { name: string } }) => r.movie.name).sort()).toEqual([
      'alien',
      'matrix',
    ]);
    expect(res.body[0].score).toBeGreaterThanOrEqual(res.body[1].score);
  });

  it('answers a movie with no neighbours yet with an empty list, an unknown one with 404', async () => {
    const fresh = (await http.post('/movie', aMovie({ name: 'brand new' }))).body.id;
    const res = await http.get(`/movie/${fresh}/similar`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
    expectProblem(await http.get(`/movie/${MISSING_ID}/similar`), 404, /^Movie not found$/);
    expectProblem(await http.get(`/movie/${ids.dune}/similar?limit=0`), 400, /limit/);
  });

  it('never names a deleted movie', async () => {
    expect((await http.del(`/movie/${ids.alien}`)).status).toBe(200);
    const res = await http.get(`/movie/${ids.dune}/similar`);
    expect(res.body.map((r: { movie: { id: number } }) => r.movie.id)).not.toContain(ids.alien);
    const recs = await http.get(`/users/${users.newcomer}/recommendations?limit=100`);
    expect(recs.body.map((r: { movie: { id: number } }) => r.movie.id)).not.toContain(ids.alien);
  });
});

describe('the model build', () => {
  it('builds once for a change however many instances try, and not again without one', async () => {
    await rate(users.newcomer!, ids.matrix!, 3);
    const outcomes = await Promise.all([
      buildIfChanged(pool, log),
      buildIfChanged(pool, log),
      buildIfChanged(pool, log),
    ]);
    expect(outcomes.filter((o) => o.built)).toHaveLength(1);
    expect(await buildIfChanged(pool, log)).toEqual({ built: false, reason: 'no new ratings' });
  });
});
