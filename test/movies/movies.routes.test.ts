import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMovie, expectProblem, MISSING_ID, moviesApp, VALID_GENRES, type MoviesApp } from './fixtures.js';

let m: MoviesApp;

beforeAll(async () => {
  m = await moviesApp();
});
afterAll(async () => {
  await m?.close();
});

/** Asserts the request was refused with `status` and left the catalogue as it was. */
async function refused(
  body: unknown,
  status: number,
  detail?: string | RegExp,
  headers?: Record<string, string>,
) {
  const before = await m.count('movies');
  expectProblem(await m.http.post('/movie', body, headers), status, detail);
  expect(await m.count('movies')).toBe(before);
}

describe('GET /', () => {
  it("answers the original's message when movies is served alone", async () => {
    const res = await m.http.get('/');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Movie API is working!' });
  });
});

describe('POST /movie', () => {
  it('creates a movie and answers it with its id, the genre lowercased', async () => {
    const res = await m.http.post('/movie', aMovie());
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      name: 'The Matrix',
      release_year: 1999,
      description: 'A hacker learns the world is a simulation.',
      genre: 'scifi',
    });
    expect((await m.http.get(`/movie/${res.body.id}`)).body).toEqual(res.body);
  });

  it('takes the genre in any case and stores it lowercase', async () => {
    for (const [given, stored] of [
      ['ACTION', 'action'],
      ['Horror', 'horror'],
      ['rOmAnCe', 'romance'],
      ['comedy', 'comedy'],
      ['Documentary', 'documentary'],
    ]) {
      const res = await m.http.post('/movie', aMovie({ genre: given }));
      expect(res.status).toBe(201);
      expect(res.body.genre).toBe(stored);
      const { rows } = await m.pool.query('SELECT genre FROM movies.movies WHERE id = $1', [res.body.id]);
      expect(rows[0].genre).toBe(stored);
    }
  });

  it('leaves release_year and description null when they are absent or null', async () => {
    const absent = await m.http.post('/movie', { name: 'Alien', genre: 'horror' });
    expect(absent.status).toBe(201);
    expect(absent.body).toMatchObject({ name: 'Alien', release_year: null, description: null });
    const nulls = await m.http.post('/movie', {
      name: 'Up',
      genre: 'animation',
      release_year: null,
      description: null,
    });
    expect(nulls.status).toBe(201);
    expect(nulls.body).toMatchObject({ release_year: null, description: null });
  });

  it("refuses an unknown genre with the original's 400 listing the valid ones", async () => {
    const detail = `Invalid genre provided, valid genres are ${VALID_GENRES}`;
    await refused(aMovie({ genre: 'western' }), 400, detail);
    await refused(aMovie({ genre: '' }), 400, detail);
    await refused(aMovie({ genre: ' action' }), 400, detail);
    const res = await m.http.post('/movie', aMovie({ genre: 'musical' }));
    expect(res.body.detail).toBe(detail);
  });

  it('refuses a body of the wrong shape with a 422 naming the field', async () => {
    await refused({ genre: 'action' }, 422, /name is required/);
    await refused({ name: 'x' }, 422, /genre is required/);
    await refused(aMovie({ name: 42 }), 422, /name/);
    await refused(aMovie({ name: '' }), 422, /name/);
    await refused(aMovie({ release_year: '1999' }), 422, /release_year/);
    await refused(aMovie({ release_year: 1999.5 }), 422, /release_year/);
    await refused(aMovie({ release_year: 99999 }), 422, /release_year/);
    await refused(aMovie({ genre: 5 }), 422, /genre/);
    await refused(aMovie({ genre: ['action'] }), 422, /genre/);
    await refused(aMovie({ rating: 5 }), 422, /rating is not an allowed field/);
    await refused([aMovie()], 422);
    await refused('null', 422);
  });

  it('refuses NUL characters, huge strings, bad JSON and other media types', async () => {
    await refused(aMovie({ name: 'a\u0000b' }), 400, /NUL/);
    await refused(aMovie({ description: 'x\u0000' }), 400, /NUL/);
    await refused(aMovie({ name: 'x'.repeat(501) }), 422, /name/);
    await refused(aMovie({ description: 'x'.repeat(10_001) }), 422, /description/);
    await refused(aMovie({ description: 'x'.repeat(1_100_000) }), 413);
    await refused('{"name": "x", "genre": ', 400);
    await refused('name=x', 415, undefined, { 'content-type': 'text/plain' });
  });
});

describe('GET /movie', () => {
  it('pages through every movie in id order, 100 by default and at most', async () => {
    const existing = await m.count('movies');
    for (let i = existing; i < 130; i++) {
      expect((await m.http.post('/movie', aMovie({ name: `Movie ${i}`, genre: 'drama' }))).status).toBe(201);
    }
    const { rows } = await m.pool.query<{ id: number }>('SELECT id FROM movies.movies ORDER BY id');
    const ids = rows.map((r) => Number(r.id));

    const first = await m.http.get('/movie');
    expect(first.status).toBe(200);
    expect(first.body.map((x: { id: number }) => x.id)).toEqual(ids.slice(0, 100));
    const rest = await m.http.get('/movie?offset=100&limit=100');
    expect(rest.body.map((x: { id: number }) => x.id)).toEqual(ids.slice(100));
    const page = await m.http.get('/movie?offset=7&limit=5');
    expect(page.body.map((x: { id: number }) => x.id)).toEqual(ids.slice(7, 12));
    expect(Object.keys(page.body[0]).sort()).toEqual(['description', 'genre', 'id', 'name', 'release_year']);
    expect((await m.http.get('/movie?limit=100')).body).toHaveLength(100);
    expect((await m.http.get('/movie?limit=0')).body).toEqual([]);
    expect((await m.http.get('/movie?offset=100000')).body).toEqual([]);
  });

  it('refuses a limit over 100 and malformed paging with a 400', async () => {
    expectProblem(await m.http.get('/movie?limit=101'), 400, /limit/);
    expectProblem(await m.http.get('/movie?limit=-1'), 400, /limit/);
    expectProblem(await m.http.get('/movie?offset=-1'), 400, /offset/);
    expectProblem(await m.http.get('/movie?offset=abc'), 400, /offset/);
    expectProblem(await m.http.get('/movie?limit=1.5'), 400, /limit/);
    expectProblem(await m.http.get('/movie?offset=99999999999999999999'), 400, /offset/);
    expectProblem(await m.http.get('/movie?offset=%00'), 400, /NUL/);
  });
});

describe('GET and DELETE /movie/{id}', () => {
  it("answers a missing movie with the original's 404", async () => {
    expectProblem(await m.http.get(`/movie/${MISSING_ID}`), 404, /^Movie not found$/);
    expectProblem(await m.http.del(`/movie/${MISSING_ID}`), 404, /^Movie not found$/);
  });

  it('refuses ids that are not positive integers in range with a 400', async () => {
    const before = await m.count('movies');
    for (const id of ['0', '-1', '1.5', 'abc', '9007199254740992', '99999999999999999999', 'a%00b']) {
      expectProblem(await m.http.get(`/movie/${id}`), 400);
      expectProblem(await m.http.del(`/movie/${id}`), 400);
    }
    expect(await m.count('movies')).toBe(before);
  });

  it('deletes a movie, answering it, and then no longer finds it', async () => {
    const created = (await m.http.post('/movie', aMovie({ name: 'Gone Girl', genre: 'Thriller' }))).body;
    const before = await m.count('movies');
    const deleted = await m.http.del(`/movie/${created.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual(created);
    expect(await m.count('movies')).toBe(before - 1);
    expectProblem(await m.http.get(`/movie/${created.id}`), 404, 'Movie not found');
    expectProblem(await m.http.del(`/movie/${created.id}`), 404, 'Movie not found');
  });
});
