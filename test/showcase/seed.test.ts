import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { showcase } from '../../src/services/showcase/index.js';
import { DEMO_PASSWORD, DEMO_PLAYERS } from '../../src/services/showcase/seed.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { showcaseClient, storedFiles, type ShowcaseClient } from './fixtures.js';

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

describe('crucible seed showcase', () => {
  it('loads demo players in several cities, processed public clips and votes, once', async () => {
    // The first start's demo (serve --demo) is the seed, into a showcase with no players.
    const said = await showcase.demo!(app.runtime.ctx);
    expect(said).toMatch(
      /6 demo players \(Bogotá, Medellín, Cali, Barranquilla, Cartagena\), 5 processed public clips, \d+ votes/,
    );

    const videos = (await api.get('/api/public/videos?limit=50')).body as {
      id: string;
      processed_url: string;
      owner_city: string;
      votes: number;
    }[];
    expect(videos).toHaveLength(5);
    expect(new Set(videos.map((v) => v.owner_city))).toEqual(
      new Set(['Bogotá', 'Medellín', 'Cali', 'Barranquilla']),
    );
    for (const v of videos) {
      const file = await fetch(`${app.url}${v.processed_url}`, { headers: { range: 'bytes=0-99' } });
      expect(file.status).toBe(206);
      // An MP4 made by the processor: its ftyp box comes first, and faststart puts moov next.
      expect(Buffer.from(await file.arrayBuffer()).toString('latin1', 4, 8)).toBe('ftyp');
    }

    const ranking = (await api.get('/api/public/rankings')).body as { username: string; votes: number }[];
    expect(ranking.map((r) => r.username)).toContain('Sofía Pérez');
    expect(ranking[0]!.votes).toBeGreaterThan(ranking.at(-1)!.votes);
    const bogota = (await api.get('/api/public/rankings?city=bogota')).body as { city: string }[];
    expect(bogota.map((r) => r.city)).toEqual(['Bogotá']);

    // The demo accounts sign in, and vote counts agree with the votes table.
    const login = await api.post('/api/auth/login', undefined, {
      email: 'andres.munoz@demo.showcase.example',
      password: DEMO_PASSWORD,
    });
    expect(login.status).toBe(200);
    const { rows } = await app.runtime.ctx.pool.query(
      `SELECT count(*)::int AS mismatched FROM showcase.videos v
        WHERE v.votes <> (SELECT count(*) FROM showcase.votes WHERE video_id = v.id)`,
    );
    expect(rows[0].mismatched).toBe(0);

    const files = await storedFiles(app);
    expect(await showcase.seed!(app.runtime.ctx)).toMatch(/already there; nothing loaded/);
    // A first start's demo loads nothing into a showcase that has players.
    expect(await showcase.demo!(app.runtime.ctx)).toBeUndefined();
    expect((await api.get('/api/public/videos?limit=50')).body).toHaveLength(5);
    const users = await app.runtime.ctx.pool.query('SELECT count(*)::int AS n FROM showcase.users');
    expect(users.rows[0].n).toBe(DEMO_PLAYERS.length);
    expect(await storedFiles(app)).toEqual(files);
  });
});
