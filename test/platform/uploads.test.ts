import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendStored } from '../../src/platform/http/files.js';
import { problems } from '../../src/platform/http/schemas.js';
import { acceptUploads, receiveUpload, uploadBody } from '../../src/platform/http/uploads.js';
import type { ServiceContext } from '../../src/platform/service.js';
import { startTestApp, type TestApp, testService } from '../helpers.js';

// The first bytes of an MP4 file: a box size, then "ftyp".
const MP4_HEAD = Buffer.from('00000018667479706d703432', 'hex');
const mp4 = (size: number) => Buffer.concat([MP4_HEAD, Buffer.alloc(size - MP4_HEAD.length, 7)]);
const LIMIT = 100_000;

let nextId = 0;
const demo = testService('uploaddemo', async (app: FastifyInstance, ctx: ServiceContext) => {
  await acceptUploads(app);
  const spec = { file: 'video_file', fields: ['title'], maxBytes: LIMIT };
  const schema = { body: uploadBody(spec, 'an MP4 video'), response: problems(400, 413, 415, 422) };
  app.post('/clips', { schema }, async (request, reply) => {
    const id = String(++nextId);
    const upload = await receiveUpload(request, ctx.storage, {
      ...spec,
      key: `clips/${id}.mp4`,
      check: (head) =>
        head.subarray(4, 8).toString() === 'ftyp' ? undefined : 'The file is not an MP4 video',
    });
    return reply.code(201).send({ id, title: upload.fields.title, ...upload.file });
  });
  app.get<{ Params: { id: string } }>(
    '/clips/:id',
    { schema: { response: problems(404, 416) } },
    async (request, reply) =>
      sendStored(request, reply, ctx.storage, `clips/${request.params.id}.mp4`, 'video/mp4'),
  );
});
// Another service, which never called acceptUploads.
const plain = testService('plaindemo', async (app: FastifyInstance) => {
  app.post('/json-only', async () => ({ ok: true }));
});

describe('uploads and stored files over HTTP', () => {
  let app: TestApp;
  let filesDir: string;

  beforeAll(async () => {
    app = await startTestApp([demo, plain], { LOG_LEVEL: 'fatal' }, { workers: false });
    filesDir = path.join(app.runtime.ctx.env.DATA_DIR!, 'files', 'clips');
  });
  afterAll(() => app?.close());

  const stored = async () => (await readdir(filesDir).catch(() => [] as string[])).sort();

  async function upload(parts: [string, string | Blob, string?][]) {
    const form = new FormData();
    for (const [name, value, filename] of parts)
      if (typeof value === 'string') form.append(name, value);
      else form.append(name, value, filename);
    const res = await fetch(`${app.url}/clips`, { method: 'POST', body: form });
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read what the API sent
      body: (await res.json()) as Record<string, any>,
    };
  }
  const video = (size: number) => new Blob([mp4(size)], { type: 'video/mp4' });

  it('stores the file, with the fields before or after it, and serves it back', async () => {
    const first = await upload([
      ['title', 'Crossover'],
      ['video_file', video(5000), 'a.mp4'],
    ]);
    expect(first).toMatchObject({
      status: 201,
      body: { title: 'Crossover', bytes: 5000, filename: 'a.mp4', mimetype: 'video/mp4' },
    });
    const second = await upload([
      ['video_file', video(LIMIT), 'b.mp4'],
      ['title', 'Dunk'],
    ]);
    expect(second).toMatchObject({ status: 201, body: { title: 'Dunk', bytes: LIMIT } });
    const res = await fetch(`${app.url}/clips/${first.body.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await res.arrayBuffer()).equals(mp4(5000))).toBe(true);
  });

  it('refuses, and stores nothing: a file too large, wrong bytes, empty, missing, or no title', async () => {
    const before = await stored();
    const tooLarge = await upload([
      ['title', 'x'],
      ['video_file', video(LIMIT + 1), 'big.mp4'],
    ]);
    expect(tooLarge).toMatchObject({
      status: 413,
      body: { detail: `body.video_file is larger than ${LIMIT} bytes` },
    });
    expect(tooLarge.type).toContain('application/problem+json');
    const notMp4 = await upload([
      ['title', 'x'],
      ['video_file', new Blob(['GIF89a'.repeat(50)], { type: 'video/mp4' }), 'c.mp4'],
    ]);
    expect(notMp4).toMatchObject({ status: 400, body: { detail: 'The file is not an MP4 video' } });
    const tiny = await upload([
      ['title', 'x'],
      ['video_file', new Blob(['GIF'], { type: 'video/mp4' }), 'd.mp4'],
    ]);
    expect(tiny).toMatchObject({ status: 400, body: { detail: 'The file is not an MP4 video' } });
    const empty = await upload([
      ['title', 'x'],
      ['video_file', new Blob([]), 'e.mp4'],
    ]);
    expect(empty).toMatchObject({ status: 400, body: { detail: 'body.video_file is empty' } });
    const noFile = await upload([['title', 'x']]);
    expect(noFile).toMatchObject({ status: 422, body: { detail: 'body.video_file is required' } });
    const noTitle = await upload([['video_file', video(3000), 'f.mp4']]);
    expect(noTitle).toMatchObject({ status: 422, body: { detail: 'body.title is required' } });
    const otherFile = await upload([
      ['title', 'x'],
      ['poster', video(100), 'p.mp4'],
    ]);
    expect(otherFile).toMatchObject({
      status: 422,
      body: { detail: 'body.poster is not an allowed file field' },
    });
    expect(await stored()).toEqual(before);
  });

  it('answers 415 to a body that is not multipart, and the routes of other services keep refusing multipart', async () => {
    const json = await fetch(`${app.url}/clips`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"title":"x"}',
    });
    expect(json.status).toBe(415);
    expect(await json.json()).toMatchObject({ detail: 'Send the upload as multipart/form-data' });
    const form = new FormData();
    form.append('x', 'y');
    expect((await fetch(`${app.url}/json-only`, { method: 'POST', body: form })).status).toBe(415);
  });

  it('serves byte ranges, as a video player seeks', async () => {
    const { body } = await upload([
      ['title', 'Range'],
      ['video_file', video(1000), 'r.mp4'],
    ]);
    const url = `${app.url}/clips/${body.id}`;
    const part = await fetch(url, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(part.headers.get('content-length')).toBe('100');
    expect(Buffer.from(await part.arrayBuffer()).equals(mp4(1000).subarray(100, 200))).toBe(true);
    const tail = await fetch(url, { headers: { range: 'bytes=-10' } });
    expect(tail.headers.get('content-range')).toBe('bytes 990-999/1000');
    const past = await fetch(url, { headers: { range: 'bytes=5000-' } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe('bytes */1000');
    // A range of a copy older than the file's current version would splice two versions.
    const stale = await fetch(url, { headers: { range: 'bytes=0-9', 'if-range': '"old"' } });
    expect(stale.status).toBe(200);
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe('1000');
    const missing = await fetch(`${app.url}/clips/999999`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ detail: 'File not found' });
  });

  it('documents the form, with its file, and the answers', async () => {
    const doc = (await (await fetch(`${app.url}/openapi.json`)).json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any -- the document as served
    const post = doc.paths['/clips'].post;
    expect(post.requestBody.content['multipart/form-data'].schema).toMatchObject({
      required: ['video_file', 'title'],
      properties: { video_file: { type: 'string', format: 'binary' }, title: { type: 'string' } },
    });
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['400', '413', '415', '422']));
    expect(Object.keys(doc.paths['/clips/{id}'].get.responses)).toEqual(
      expect.arrayContaining(['404', '416']),
    );
  });
});
