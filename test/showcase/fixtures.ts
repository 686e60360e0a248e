import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { processedKey } from '../../src/services/showcase/index.js';
import { client } from '../shop/client.js';
import type { TestApp } from '../helpers.js';

export { expectProblem, MISSING, UUID, type Answer } from '../shop/client.js';

export const PASSWORD = 'Canasta2025!';

/**
 * The smallest file the upload takes as MP4: top-level boxes ftyp, moov and mdat that tile it
 * exactly. Not playable; the API checks structure, the worker decodes.
 */
export function mp4(payloadBytes = 1000): Buffer {
  const box = (type: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(8 + body.length, 0);
    head.write(type, 4, 'latin1');
    return Buffer.concat([head, body]);
  };
  return Buffer.concat([
    box('ftyp', Buffer.from('isom\0\0\x02\0isomiso2mp41', 'latin1')),
    box('moov', Buffer.alloc(0)),
    box('mdat', Buffer.alloc(payloadBytes, 7)),
  ]);
}

let people = 0;

/** The original's calls, over HTTP: sign up, log in, upload, and the rest with a bearer token. */
export function showcaseClient(app: TestApp, connections = 32) {
  const http = client(app.url, connections);
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  async function signup(overrides: Record<string, unknown> = {}) {
    people += 1;
    const body = {
      first_name: `Jugador${people}`,
      last_name: 'Prueba',
      email: `jugador${people}.${Date.now()}@example.com`,
      city: 'Bogotá',
      country: 'Colombia',
      password1: PASSWORD,
      password2: PASSWORD,
      ...overrides,
    };
    return { answer: await http.post('/api/auth/signup', body), body };
  }

  /** A new player, logged in. */
  async function player(overrides: Record<string, unknown> = {}) {
    const { answer, body } = await signup(overrides);
    if (answer.status !== 201) throw new Error(`signup: ${answer.status} ${JSON.stringify(answer.body)}`);
    const login = await http.post('/api/auth/login', { email: body.email, password: PASSWORD });
    if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
    const token = login.body.access_token as string;
    return { id: answer.body.id as number, token, name: `${body.first_name} ${body.last_name}` };
  }

  async function upload(token: string | undefined, parts: [string, string | Blob, string?][]) {
    const form = new FormData();
    for (const [name, value, filename] of parts)
      if (typeof value === 'string') form.append(name, value);
      else form.append(name, value, filename);
    const res = await fetch(`${app.url}/api/videos/upload`, {
      method: 'POST',
      body: form,
      headers: token ? auth(token) : {},
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: Object.fromEntries(res.headers) as Record<string, string>,
      body: text.startsWith('{') ? JSON.parse(text) : text,
    };
  }

  const uploadClip = async (token: string, title = 'Mis jugadas', bytes = mp4()) => {
    const answer = await upload(token, [
      ['title', title],
      ['video_file', new Blob([bytes], { type: 'video/mp4' }), 'clip.mp4'],
    ]);
    if (answer.status !== 201) throw new Error(`upload: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.video_id as string;
  };

  /**
   * Test setup standing in for the processing worker (built elsewhere): the row says processed
   * and a small file is stored as its output.
   */
  async function markProcessed(videoId: string, bytes = Buffer.from('processed-video-bytes')) {
    await app.runtime.ctx.storage.put(processedKey(videoId), Readable.from([bytes]));
    await app.runtime.ctx.pool.query(
      `UPDATE showcase.videos SET status = 'processed', processed_at = now() WHERE id = $1`,
      [videoId],
    );
  }

  /** A public video of `token`'s player: uploaded, processed (by the test), published. */
  async function publicClip(token: string, title?: string) {
    const id = await uploadClip(token, title);
    await markProcessed(id);
    const answer = await http.call('POST', `/api/videos/${id}/publish`, undefined, auth(token));
    if (answer.status !== 200) throw new Error(`publish: ${answer.status} ${JSON.stringify(answer.body)}`);
    return id;
  }

  return {
    http,
    auth,
    signup,
    player,
    upload,
    uploadClip,
    markProcessed,
    publicClip,
    get: (p: string, token?: string) => http.call('GET', p, undefined, token ? auth(token) : {}),
    post: (p: string, token?: string, body?: unknown) => http.call('POST', p, body, token ? auth(token) : {}),
    del: (p: string, token?: string) => http.call('DELETE', p, undefined, token ? auth(token) : {}),
    close: () => http.close(),
  };
}
export type ShowcaseClient = ReturnType<typeof showcaseClient>;

/** Every file the app has stored, relative to its storage root. */
export async function storedFiles(app: TestApp): Promise<string[]> {
  const root = path.join(app.dataDir, 'files');
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}
