import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ScenarioContext } from '../scenario.js';

const CLI = fileURLToPath(new URL('../../../bin/crucible.js', import.meta.url));
const PASSWORD = 'Scenario2026!';
/** Cities of the league, accents included, so rankings by city have something to fold. */
const CITIES = ['Bogotá', 'Medellín', 'Cali', 'Barranquilla', 'Cartagena', 'Bucaramanga'];

/** `crucible <args>` as a process, its JSON answer parsed: scenarios reach the media tools only by the CLI. */
export async function crucible<T>(args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn' },
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as T;
}

/** A generated MP4 (`crucible media clip`). */
export function makeClip(file: string, o: { seconds: number; width: number; height: number }) {
  const size = ['--seconds', String(o.seconds), '--width', String(o.width), '--height', String(o.height)];
  return crucible<{ path: string; bytes: number }>(['media', 'clip', file, ...size]);
}

/** The upload form, built once and sent as is by every upload: `title` and `video_file`. */
export function uploadForm(clip: Buffer): { body: Uint8Array; type: string } {
  const boundary = `----crucible${randomBytes(8).toString('hex')}`;
  const head =
    `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nMis mejores jugadas\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="video_file"; filename="jugadas.mp4"\r\n` +
    'Content-Type: video/mp4\r\n\r\n';
  const body = Buffer.concat([Buffer.from(head), clip, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return {
    body: new Uint8Array(body.buffer, body.byteOffset, body.length),
    type: `multipart/form-data; boundary=${boundary}`,
  };
}

/** Signs up and logs in player `i` of run `run` (a name unique to the run): its bearer header. */
export async function player(ctx: ScenarioContext, run: string, i: number): Promise<string> {
  const email = `${run}.${i}@scenario.example`;
  const signup = await ctx.http('POST', '/api/auth/signup', {
    first_name: 'Jugador',
    last_name: `${run} ${i}`,
    email,
    city: CITIES[i % CITIES.length],
    country: 'Colombia',
    password1: PASSWORD,
    password2: PASSWORD,
  });
  if (signup.status !== 201)
    throw new Error(`signup answered ${signup.status} ${JSON.stringify(signup.body)}`);
  const login = await ctx.http('POST', '/api/auth/login', { email, password: PASSWORD });
  if (login.status !== 200) throw new Error(`login answered ${login.status} ${JSON.stringify(login.body)}`);
  return `Bearer ${(login.body as { access_token: string }).access_token}`;
}

export { inTurns } from '../in-turns.js';

/** One upload outside the measured load (ctx.http sends JSON only). */
export async function upload(ctx: ScenarioContext, auth: string, form: { body: Uint8Array; type: string }) {
  const res = await fetch(new URL('/api/videos/upload', ctx.target.url), {
    method: 'POST',
    headers: { authorization: auth, 'content-type': form.type },
    body: form.body,
  });
  const body = (await res.json()) as { video_id?: string };
  if (res.status !== 201 || !body.video_id)
    throw new Error(`upload answered ${res.status} ${JSON.stringify(body)}`);
  return body.video_id;
}

export type StatusCount = Record<'uploaded' | 'processing' | 'processed' | 'failed' | 'public', number>;

/** A player's own videos by status, from GET /api/videos. */
export async function ownStatuses(ctx: ScenarioContext, auth: string): Promise<StatusCount> {
  const res = await ctx.http('GET', '/api/videos', undefined, { authorization: auth });
  if (res.status !== 200)
    throw new Error(`GET /api/videos answered ${res.status} ${JSON.stringify(res.body)}`);
  const count: StatusCount = { uploaded: 0, processing: 0, processed: 0, failed: 0, public: 0 };
  for (const v of res.body as { status: keyof StatusCount }[]) count[v.status]++;
  return count;
}

export const pending = (c: StatusCount) => c.uploaded + c.processing;
export const total = (c: StatusCount) => c.uploaded + c.processing + c.processed + c.failed + c.public;
