import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { showcase } from '../../src/services/showcase/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { expectProblem, MISSING, showcaseClient, type ShowcaseClient } from './fixtures.js';

let app: TestApp;
let api: ShowcaseClient;

beforeAll(async () => {
  app = await startTestApp([showcase], {}, { workers: false });
  api = showcaseClient(app);
});
afterAll(async () => {
  await api?.close();
  await app?.close();
});

/** Each test starts from no players, so rankings are the test's own. */
async function fresh() {
  await app.runtime.ctx.pool.query(`TRUNCATE showcase.users CASCADE`);
}

const voteFor = (videoId: string, token: string) => api.post(`/api/public/videos/${videoId}/vote`, token);

describe('public videos', () => {
  it('lists only public videos, newest published first, with the owner and votes', async () => {
    await fresh();
    const ana = await api.player({ first_name: 'Ana', last_name: 'Díaz', city: 'Cali' });
    const unpublished = await api.uploadClip(ana.token, 'sin publicar');
    await api.markProcessed(unpublished);
    await api.uploadClip(ana.token, 'sin procesar');
    const first = await api.publicClip(ana.token, 'primero');
    const second = await api.publicClip(ana.token, 'segundo');
    for (const path of ['/api/public/videos', '/api/public/videos/']) {
      const answer = await api.get(path);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual([
        {
          id: second,
          title: 'segundo',
          uploaded_at: expect.any(String),
          processed_url: `/videos/${second}/processed.mp4`,
          owner_name: 'Ana Díaz',
          owner_city: 'Cali',
          votes: 0,
        },
        expect.objectContaining({ id: first, title: 'primero' }),
      ]);
    }
  });

  it('pages with page and limit, filters by city, refuses bad numbers with 400', async () => {
    await fresh();
    const p = await api.player({ city: 'Medellín' });
    const q = await api.player({ city: 'Bogotá' });
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await api.publicClip(p.token, `v${i}`));
    const other = await api.publicClip(q.token);
    const page = async (n: number, limit: number) =>
      (
        (await api.get(`/api/public/videos?page=${n}&limit=${limit}&city=medellin`)).body as { id: string }[]
      ).map((v) => v.id);
    expect(await page(1, 2)).toEqual([ids[4], ids[3]]);
    expect(await page(3, 2)).toEqual([ids[0]]);
    expect(await page(4, 2)).toEqual([]);
    expect((await api.get('/api/public/videos?city=BOGOTA')).body.map((v: { id: string }) => v.id)).toEqual([
      other,
    ]);
    for (const bad of ['page=0', 'limit=0', 'limit=101', 'page=x', 'limit=-1'])
      expectProblem(await api.get(`/api/public/videos?${bad}`), 400);
  });

  it('never shows a deleted video', async () => {
    await fresh();
    const p = await api.player();
    const id = await api.uploadClip(p.token);
    await api.markProcessed(id);
    expect((await api.del(`/api/videos/${id}`, p.token)).status).toBe(200);
    expect((await api.get('/api/public/videos')).body).toEqual([]);
    expectProblem(await voteFor(id, p.token), 404, 'Video not found');
  });
});

describe('votes', () => {
  it('counts one vote per user per video; a second is 400', async () => {
    await fresh();
    const owner = await api.player();
    const fan = await api.player();
    const id = await api.publicClip(owner.token);
    const answer = await voteFor(id, fan.token);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ message: 'Vote successfully registered' });
    expectProblem(await voteFor(id, fan.token), 400, 'You have already voted for this video');
    expect((await api.get(`/api/videos/${id}`, owner.token)).body.votes).toBe(1);
  });

  it('under 20 concurrent votes by one user, exactly one lands', async () => {
    await fresh();
    const owner = await api.player();
    const fan = await api.player();
    const id = await api.publicClip(owner.token);
    const answers = await Promise.all(Array.from({ length: 20 }, () => voteFor(id, fan.token)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200))
      expectProblem(a, 400, 'You have already voted for this video');
    const { rows } = await app.runtime.ctx.pool.query(
      `SELECT (SELECT count(*)::int FROM showcase.votes WHERE video_id = $1) AS votes,
              (SELECT votes FROM showcase.videos WHERE id = $1) AS counter`,
      [id],
    );
    expect(rows[0]).toEqual({ votes: 1, counter: 1 });
  });

  it('the database itself refuses a second vote, whatever the code checks', async () => {
    await fresh();
    const owner = await api.player();
    const id = await api.publicClip(owner.token);
    const insert = `INSERT INTO showcase.votes (video_id, user_id) VALUES ($1, $2)`;
    await app.runtime.ctx.pool.query(insert, [id, owner.id]);
    await expect(app.runtime.ctx.pool.query(insert, [id, owner.id])).rejects.toThrow(/duplicate key/);
  });

  it('refuses a video that is not public with 400, an unknown one with 404, no token with 401', async () => {
    await fresh();
    const owner = await api.player();
    const id = await api.uploadClip(owner.token);
    expectProblem(await voteFor(id, owner.token), 400, /not public/);
    await api.markProcessed(id);
    expectProblem(await voteFor(id, owner.token), 400, /not public/);
    expectProblem(await voteFor(MISSING, owner.token), 404, 'Video not found');
    expectProblem(await voteFor(id, undefined as unknown as string), 401);
  });
});

describe('rankings', () => {
  /** Players in cities, each with a public video given `votes` votes by distinct fans. */
  async function league(players: { name: string; city: string; votes: number }[]) {
    await fresh();
    const fans = await Promise.all(
      Array.from({ length: Math.max(...players.map((p) => p.votes)) }, () => api.player({ city: 'Fan' })),
    );
    for (const p of players) {
      const player = await api.player({ first_name: p.name, last_name: 'J', city: p.city });
      const id = await api.publicClip(player.token);
      for (const fan of fans.slice(0, p.votes)) expect((await voteFor(id, fan.token)).status).toBe(200);
    }
  }

  it('orders by votes, ties in the order of sign-up, positions across pages', async () => {
    await league([
      { name: 'Uno', city: 'Bogotá', votes: 2 },
      { name: 'Dos', city: 'Medellín', votes: 5 },
      { name: 'Tres', city: 'Cali', votes: 2 },
      { name: 'Cuatro', city: 'Bogotá', votes: 0 },
      { name: 'Cinco', city: 'Barranquilla', votes: 3 },
    ]);
    const all = await api.get('/api/public/rankings');
    expect(all.status).toBe(200);
    expect(all.body).toEqual([
      { position: 1, username: 'Dos J', city: 'Medellín', votes: 5 },
      { position: 2, username: 'Cinco J', city: 'Barranquilla', votes: 3 },
      { position: 3, username: 'Uno J', city: 'Bogotá', votes: 2 },
      { position: 4, username: 'Tres J', city: 'Cali', votes: 2 },
      { position: 5, username: 'Cuatro J', city: 'Bogotá', votes: 0 },
    ]);
    const second = await api.get('/api/public/rankings?page=2&limit=2');
    expect(second.body.map((r: { username: string }) => r.username)).toEqual(['Uno J', 'Tres J']);
    expect(second.body.map((r: { position: number }) => r.position)).toEqual([3, 4]);
    for (let i = 0; i < 3; i++) expect((await api.get('/api/public/rankings')).body).toEqual(all.body);
  });

  it("sums the votes of all of a player's public videos", async () => {
    await fresh();
    const star = await api.player({ first_name: 'Star', last_name: 'X' });
    const fan = await api.player();
    const a = await api.publicClip(star.token);
    const b = await api.publicClip(star.token);
    await voteFor(a, fan.token);
    await voteFor(b, fan.token);
    await voteFor(b, star.token);
    expect((await api.get('/api/public/rankings')).body).toEqual([
      { position: 1, username: 'Star X', city: 'Bogotá', votes: 3 },
    ]);
  });

  it('filters by city, whatever the case and accents, as a substring', async () => {
    await league([
      { name: 'A', city: 'Bogotá', votes: 1 },
      { name: 'B', city: 'Medellín', votes: 2 },
      { name: 'C', city: 'BOGOTA D.C.', votes: 3 },
      { name: 'D', city: 'São Paulo', votes: 0 },
    ]);
    const names = async (city: string) =>
      (await api.get(`/api/public/rankings?city=${encodeURIComponent(city)}`)).body.map(
        (r: { username: string; position: number }) => `${r.position}:${r.username}`,
      );
    expect(await names('bogota')).toEqual(['1:C J', '2:A J']);
    expect(await names('BOGOTÁ')).toEqual(['1:C J', '2:A J']);
    expect(await names('gOt')).toEqual(['1:C J', '2:A J']);
    expect(await names('medellin')).toEqual(['1:B J']);
    expect(await names('MEDELLÍN')).toEqual(['1:B J']);
    // A decomposed accent (e + U+0301) is the same city.
    expect(await names('Medelli\u0301n')).toEqual(['1:B J']);
    expect(await names('sao')).toEqual(['1:D J']);
    expect(await names('%')).toEqual([]);
    expect(await names('Lima')).toEqual([]);
  });

  it('refuses page 0, limit 0 or over 100 with 400', async () => {
    for (const bad of ['page=0', 'limit=0', 'limit=101', 'page=-1', 'page=1.5', 'limit=abc'])
      expectProblem(await api.get(`/api/public/rankings?${bad}`), 400);
    expect((await api.get('/api/public/rankings?limit=100')).status).toBe(200);
  });
});
