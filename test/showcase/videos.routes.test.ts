import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { showcase } from '../../src/services/showcase/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import {
  expectProblem,
  MISSING,
  mp4,
  showcaseClient,
  storedFiles,
  UUID,
  type ShowcaseClient,
} from './fixtures.js';

const MB = 1024 * 1024;
let app: TestApp;
let api: ShowcaseClient;
let alice: { id: number; token: string };
let bob: { id: number; token: string };

beforeAll(async () => {
  // A 1 MiB limit, so "too large" needs no 100 MB in a test; the default is checked in config.test.ts.
  app = await startTestApp([showcase], { SHOWCASE_MAX_UPLOAD_MB: '1' }, { workers: false });
  api = showcaseClient(app);
  alice = await api.player();
  bob = await api.player();
});
afterAll(async () => {
  await api?.close();
  await app?.close();
});

const count = async (table: string) =>
  Number((await app.runtime.ctx.pool.query(`SELECT count(*) FROM ${table}`)).rows[0].count);

describe('upload', () => {
  it('stores the file, the row as uploaded and its job in one go, and answers 201 at once', async () => {
    const answer = await api.upload(alice.token, [
      ['video_file', new Blob([mp4(5000)], { type: 'video/mp4' }), 'jugadas.mp4'],
      ['title', 'Triples desde media cancha'],
    ]);
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      message: 'Video subido exitosamente. Tarea creada.',
      task_id: expect.stringMatching(UUID),
      video_id: expect.stringMatching(UUID),
    });
    const id = answer.body.video_id;
    const { rows } = await app.runtime.ctx.pool.query(
      `SELECT v.status, v.title, v.original_bytes, j.name, j.data FROM showcase.videos v
        JOIN pgboss.job j ON j.id = v.task_id WHERE v.id = $1`,
      [id],
    );
    expect(rows).toEqual([
      {
        status: 'uploaded',
        title: 'Triples desde media cancha',
        original_bytes: mp4(5000).length,
        name: 'showcase-process',
        data: { video_id: id },
      },
    ]);
    expect(await storedFiles(app)).toContain(`videos/${id}/original.mp4`);
  });

  const refusals: [string, () => [string, string | Blob, string?][], number, RegExp][] = [
    [
      'a text file renamed .mp4',
      () => [
        ['title', 't'],
        [
          'video_file',
          new Blob(['this is not a video at all, only words'.repeat(5)], { type: 'video/mp4' }),
          'x.mp4',
        ],
      ],
      400,
      /not an MP4/,
    ],
    [
      'a PNG sent as video/mp4',
      () => [
        ['title', 't'],
        [
          'video_file',
          new Blob([Buffer.from('89504e470d0a1a0a0000000d49484452'.repeat(8), 'hex')], { type: 'video/mp4' }),
          'x.mp4',
        ],
      ],
      400,
      /not an MP4/,
    ],
    [
      'a truncated MP4',
      () => [
        ['title', 't'],
        ['video_file', new Blob([mp4(5000).subarray(0, 3000)]), 'cut.mp4'],
      ],
      400,
      /truncated/,
    ],
    [
      'an MP4 without its moov box',
      () => [
        ['title', 't'],
        ['video_file', new Blob([Buffer.concat([mp4(0).subarray(0, 28), mp4(100).subarray(36)])]), 'x.mp4'],
      ],
      400,
      /moov/,
    ],
    [
      'an empty file',
      () => [
        ['title', 't'],
        ['video_file', new Blob([]), 'empty.mp4'],
      ],
      400,
      /empty/,
    ],
    [
      'a file over the limit',
      () => [
        ['title', 't'],
        ['video_file', new Blob([mp4(MB)]), 'big.mp4'],
      ],
      413,
      /larger than 1048576/,
    ],
    ['no file', () => [['title', 't']], 422, /video_file is required/],
    [
      'another file field instead',
      () => [
        ['title', 't'],
        ['clip', new Blob([mp4()]), 'x.mp4'],
      ],
      422,
      /clip is not an allowed/,
    ],
    ['no title', () => [['video_file', new Blob([mp4()]), 'x.mp4']], 422, /title is required/],
    [
      'a blank title',
      () => [
        ['title', '   '],
        ['video_file', new Blob([mp4()]), 'x.mp4'],
      ],
      422,
      /title/,
    ],
    [
      'a title over 255 characters',
      () => [
        ['title', 'x'.repeat(256)],
        ['video_file', new Blob([mp4()]), 'x.mp4'],
      ],
      422,
      /title/,
    ],
    [
      'a NUL in the title',
      () => [
        ['title', 'a\u0000b'],
        ['video_file', new Blob([mp4()]), 'x.mp4'],
      ],
      422,
      /control/,
    ],
    [
      'a second file',
      () => [
        ['title', 't'],
        ['video_file', new Blob([mp4()]), 'x.mp4'],
        ['other', new Blob([mp4()]), 'y.mp4'],
      ],
      // The platform's multipart limit (files: 1) answers before receiveUpload sees the field.
      413,
      /files limit/,
    ],
  ];

  for (const [name, parts, status, detail] of refusals)
    it(`refuses ${name} with ${status} problem+json, leaving no file and no row`, async () => {
      const files = await storedFiles(app);
      const videos = await count('showcase.videos');
      const jobs = await count('pgboss.job');
      const answer = await api.upload(alice.token, parts());
      expect(answer.status, JSON.stringify(answer.body)).toBe(status);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(answer.body.detail).toMatch(detail);
      expect(await storedFiles(app)).toEqual(files);
      expect(await count('showcase.videos')).toBe(videos);
      expect(await count('pgboss.job')).toBe(jobs);
    });

  it('refuses a body that is not multipart with 415, and no token with 401 before reading it', async () => {
    expectProblem(await api.post('/api/videos/upload', alice.token, { title: 't' }), 415);
    const answer = await api.upload(undefined, [
      ['title', 't'],
      ['video_file', new Blob([mp4()]), 'x.mp4'],
    ]);
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="showcase"');
  });

  it('refuses a file of exactly the limit plus one byte, and takes one of exactly the limit', async () => {
    const exact = mp4(MB - mp4(0).length);
    expect(exact.length).toBe(MB);
    expect(
      (
        await api.upload(alice.token, [
          ['title', 't'],
          ['video_file', new Blob([exact]), 'x.mp4'],
        ])
      ).status,
    ).toBe(201);
    const over = mp4(MB - mp4(0).length + 1);
    expect(
      (
        await api.upload(alice.token, [
          ['title', 't'],
          ['video_file', new Blob([over]), 'x.mp4'],
        ])
      ).status,
    ).toBe(413);
  });
});

describe('my videos', () => {
  it('lists only my own, newest first, with a processed_url once processed', async () => {
    const carol = await api.player();
    const first = await api.uploadClip(carol.token, 'primero');
    const second = await api.uploadClip(carol.token, 'segundo');
    await api.uploadClip(bob.token, 'de otro');
    await api.markProcessed(first);
    const answer = await api.get('/api/videos', carol.token);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([
      {
        video_id: second,
        title: 'segundo',
        status: 'uploaded',
        uploaded_at: expect.any(String),
        processed_at: null,
        processed_url: null,
      },
      {
        video_id: first,
        title: 'primero',
        status: 'processed',
        uploaded_at: expect.any(String),
        processed_at: expect.any(String),
        processed_url: `/videos/${first}/processed.mp4`,
      },
    ]);
  });

  it('shows one with its urls and votes; 404 "Video not found"; 403 "You are not authorized"', async () => {
    const id = await api.uploadClip(alice.token, 'detalle');
    const answer = await api.get(`/api/videos/${id}`, alice.token);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      video_id: id,
      title: 'detalle',
      status: 'uploaded',
      original_url: `/videos/${id}/original.mp4`,
      processed_url: null,
      failure_reason: null,
      votes: 0,
    });
    expectProblem(await api.get(`/api/videos/${MISSING}`, alice.token), 404, 'Video not found');
    expectProblem(await api.get(`/api/videos/${id}`, bob.token), 403, 'You are not authorized');
    expectProblem(await api.get(`/api/videos/not-a-uuid`, alice.token), 400);
  });

  it('shows why processing failed', async () => {
    const id = await api.uploadClip(alice.token);
    await app.runtime.ctx.pool.query(
      `UPDATE showcase.videos SET status = 'failed', failure_reason = 'ffmpeg: moov atom not found' WHERE id = $1`,
      [id],
    );
    expect((await api.get(`/api/videos/${id}`, alice.token)).body).toMatchObject({
      status: 'failed',
      failure_reason: 'ffmpeg: moov atom not found',
    });
  });
});

describe('publish', () => {
  it('is 409 until processed, then 200 and public; 404 and 403 as elsewhere', async () => {
    const id = await api.uploadClip(alice.token);
    expectProblem(await api.post(`/api/videos/${id}/publish`, alice.token), 409, /not processed/);
    await api.markProcessed(id);
    expectProblem(await api.post(`/api/videos/${id}/publish`, bob.token), 403, 'You are not authorized');
    expectProblem(await api.post(`/api/videos/${MISSING}/publish`, alice.token), 404, 'Video not found');
    const answer = await api.post(`/api/videos/${id}/publish`, alice.token);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ message: expect.any(String), video_id: id, status: 'public' });
    expect((await api.get(`/api/videos/${id}`, alice.token)).body.status).toBe('public');
    expect((await api.post(`/api/videos/${id}/publish`, alice.token)).status).toBe(200);
  });

  it('is 409 for a failed video', async () => {
    const id = await api.uploadClip(alice.token);
    await app.runtime.ctx.pool.query(`UPDATE showcase.videos SET status = 'failed' WHERE id = $1`, [id]);
    expectProblem(await api.post(`/api/videos/${id}/publish`, alice.token), 409);
  });
});

describe('delete', () => {
  it('removes the row and both files; then 404', async () => {
    const id = await api.uploadClip(alice.token);
    await api.markProcessed(id);
    expect(await storedFiles(app)).toEqual(
      expect.arrayContaining([`videos/${id}/original.mp4`, `videos/${id}/processed.mp4`]),
    );
    expectProblem(await api.del(`/api/videos/${id}`, bob.token), 403, 'You are not authorized');
    const answer = await api.del(`/api/videos/${id}`, alice.token);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ message: 'El video ha sido eliminado exitosamente.', video_id: id });
    expect((await storedFiles(app)).filter((f) => f.includes(id))).toEqual([]);
    expectProblem(await api.get(`/api/videos/${id}`, alice.token), 404, 'Video not found');
    expectProblem(await api.del(`/api/videos/${id}`, alice.token), 404, 'Video not found');
    expect((await api.get(`/videos/${id}/original.mp4`)).status).toBe(404);
  });

  it('refuses a public video with 400 "Video is public", keeping it', async () => {
    const id = await api.publicClip(alice.token);
    expectProblem(await api.del(`/api/videos/${id}`, alice.token), 400, 'Video is public');
    expect((await api.get(`/api/videos/${id}`, alice.token)).status).toBe(200);
  });
});

describe('files', () => {
  it('serves the original whole and by ranges, and the processed file once processed', async () => {
    const bytes = mp4(4000);
    const id = await api.uploadClip(alice.token, 't', bytes);
    const whole = await fetch(`${app.url}/videos/${id}/original.mp4`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(bytes);
    const part = await fetch(`${app.url}/videos/${id}/original.mp4`, { headers: { range: 'bytes=4-7' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 4-7/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer()).toString()).toBe('ftyp');
    const past = await fetch(`${app.url}/videos/${id}/original.mp4`, {
      headers: { range: `bytes=${bytes.length}-` },
    });
    expect(past.status).toBe(416);
    await past.arrayBuffer();

    expectProblem(await api.get(`/videos/${id}/processed.mp4`), 404, /uploaded/);
    await api.markProcessed(id, Buffer.from('0123456789'));
    const processed = await fetch(`${app.url}/videos/${id}/processed.mp4`, {
      headers: { range: 'bytes=-3' },
    });
    expect(processed.status).toBe(206);
    expect(await processed.text()).toBe('789');
    expectProblem(await api.get(`/videos/${MISSING}/processed.mp4`), 404, 'Video not found');
    expectProblem(await api.get(`/videos/${id}/other.mp4`), 400);
  });
});
