import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMovie, expectProblem, MISSING_ID, moviesApp, type MoviesApp } from './fixtures.js';

let m: MoviesApp;
let movieId: number;
let userId: number;

beforeAll(async () => {
  m = await moviesApp();
  movieId = (await m.http.post('/movie', aMovie())).body.id;
  userId = (await m.http.post('/users', { name: 'Ada' })).body.id;
});
afterAll(async () => {
  await m?.close();
});

const ratingsOf = async (user: number) =>
  (
    await m.pool.query<{ movie_id: number; score: number; rated_at: Date }>(
      'SELECT movie_id, score, rated_at FROM movies.ratings WHERE user_id = $1 ORDER BY movie_id',
      [user],
    )
  ).rows;

describe('POST /users and GET /users/{id}', () => {
  it('registers a user and finds it again', async () => {
    const res = await m.http.post('/users', { name: 'Grace' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(Number), name: 'Grace' });
    const found = await m.http.get(`/users/${res.body.id}`);
    expect(found.status).toBe(200);
    expect(found.body).toEqual(res.body);
  });

  it('answers a missing user with a 404', async () => {
    expectProblem(await m.http.get(`/users/${MISSING_ID}`), 404, /^User not found$/);
  });

  it('refuses every malformed body with a 400 and registers nobody', async () => {
    const before = await m.count('users');
    for (const [body, detail] of [
      [{}, /name is required/],
      [{ name: '' }, /name/],
      [{ name: 7 }, /name/],
      [{ name: null }, /name/],
      [{ name: 'x'.repeat(501) }, /name/],
      [{ name: 'Ada', admin: true }, /admin is not an allowed field/],
      [{ name: 'a\u0000b' }, /NUL/],
      ['[1]', /body/],
      ['{"name":', /JSON|body/i],
    ] as const) {
      expectProblem(await m.http.post('/users', body), 400, detail);
    }
    expectProblem(await m.http.post('/users', 'name=x', { 'content-type': 'text/plain' }), 415);
    expectProblem(await m.http.post('/users', { name: 'x'.repeat(1_100_000) }), 413);
    expect(await m.count('users')).toBe(before);
  });

  it('refuses ids that are not positive integers in range with a 400', async () => {
    for (const id of ['0', '-3', 'abc', '2.5', '9007199254740992', '%00']) {
      expectProblem(await m.http.get(`/users/${id}`), 400);
    }
  });
});

describe('PUT /users/{id}/ratings/{movie_id}', () => {
  it('records a score and answers the rating', async () => {
    const res = await m.http.put(`/users/${userId}/ratings/${movieId}`, { score: 4 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user_id: userId, movie_id: movieId, score: 4, rated_at: expect.any(String) });
    expect(new Date(res.body.rated_at).getTime()).not.toBeNaN();
    expect(await ratingsOf(userId)).toMatchObject([{ movie_id: movieId, score: 4 }]);
  });

  it('replaces an earlier score instead of adding a second one', async () => {
    const first = await m.http.put(`/users/${userId}/ratings/${movieId}`, { score: 2 });
    const second = await m.http.put(`/users/${userId}/ratings/${movieId}`, { score: 5 });
    expect(second.status).toBe(200);
    expect(second.body.score).toBe(5);
    expect(Date.parse(second.body.rated_at)).toBeGreaterThanOrEqual(Date.parse(first.body.rated_at));
    expect(await ratingsOf(userId)).toMatchObject([{ movie_id: movieId, score: 5 }]);
  });

  it('answers 404 naming what is missing, and writes nothing', async () => {
    const before = await m.count('ratings');
    expectProblem(
      await m.http.put(`/users/${MISSING_ID}/ratings/${movieId}`, { score: 3 }),
      404,
      /^User not found$/,
    );
    expectProblem(
      await m.http.put(`/users/${userId}/ratings/${MISSING_ID}`, { score: 3 }),
      404,
      /^Movie not found$/,
    );
    expectProblem(
      await m.http.put(`/users/${MISSING_ID}/ratings/${MISSING_ID}`, { score: 3 }),
      404,
      /^User not found$/,
    );
    expect(await m.count('ratings')).toBe(before);
  });

  it('refuses a score outside 1 to 5, of the wrong type or missing, with a 400, and keeps the old one', async () => {
    for (const body of [
      { score: 0 },
      { score: 6 },
      { score: -1 },
      { score: 2.5 },
      { score: '5' },
      { score: null },
      { score: true },
      { score: [5] },
      { score: 1e308 },
      {},
      { score: 3, extra: 1 },
    ]) {
      expectProblem(await m.http.put(`/users/${userId}/ratings/${movieId}`, body), 400, /score|extra/);
    }
    expectProblem(await m.http.put(`/users/${userId}/ratings/${movieId}`, '{"score": 9e999}'), 400);
    expectProblem(await m.http.put(`/users/${userId}/ratings/abc`, { score: 3 }), 400, /movie_id/);
    expectProblem(await m.http.put(`/users/0/ratings/${movieId}`, { score: 3 }), 400, /id/);
    expectProblem(
      await m.http.put(`/users/${userId}/ratings/99999999999999999999`, { score: 3 }),
      400,
      /movie_id/,
    );
    expect(await ratingsOf(userId)).toMatchObject([{ movie_id: movieId, score: 5 }]);
  });

  it("drops a movie's ratings when the movie is deleted", async () => {
    const other = (await m.http.post('/movie', aMovie({ name: 'Heat', genre: 'action' }))).body.id;
    expect((await m.http.put(`/users/${userId}/ratings/${other}`, { score: 3 })).status).toBe(200);
    expect(await ratingsOf(userId)).toHaveLength(2);
    expect((await m.http.del(`/movie/${other}`)).status).toBe(200);
    expect(await ratingsOf(userId)).toMatchObject([{ movie_id: movieId, score: 5 }]);
  });
});
