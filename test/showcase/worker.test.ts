import { execFile, spawn } from 'node:child_process';
import { mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { startRuntime, type Runtime } from '../../src/platform/runtime.js';
import { PROCESS_DEAD_LETTER, showcase } from '../../src/services/showcase/index.js';
import { resolveBinaries } from '../../src/services/showcase/media/binaries.js';
import { makeClip } from '../../src/services/showcase/media/clips.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { CLI } from '../process.js';
import { mp4, showcaseClient, storedFiles, type ShowcaseClient } from './fixtures.js';

// Short retries, so a retried job comes back within the test.
const RETRY_ENV = { SHOWCASE_PROCESS_RETRIES: '1', SHOWCASE_PROCESS_RETRY_DELAY: '1s' };

let app: TestApp;
let api: ShowcaseClient;
let player: { token: string };
let clip: Buffer;
const workers = new Set<Runtime>();

/** A `crucible worker --queues showcase` of the test's own, on the app's database and files. */
async function startWorker(env: Record<string, string> = {}): Promise<Runtime> {
  const fullEnv = {
    LOG_LEVEL: 'warn',
    DATA_DIR: app.dataDir,
    DATABASE_URL: app.databaseUrl,
    ...RETRY_ENV,
    ...env,
  };
  const config = loadConfig(fullEnv);
  const runtime = await startRuntime({
    config,
    log: createLogger(config.logLevel),
    services: [showcase],
    version: 'test',
    http: false,
    workers: true,
    env: fullEnv,
  });
  workers.add(runtime);
  return runtime;
}

async function stopWorker(runtime: Runtime): Promise<void> {
  await runtime.close();
  workers.delete(runtime);
}

beforeAll(async () => {
  // The HTTP API alone; each test runs the workers it needs.
  app = await startTestApp([showcase], RETRY_ENV, { workers: false });
  api = showcaseClient(app);
  player = await api.player();
  const made = await makeClip({
    seconds: 4,
    width: 320,
    height: 180,
    audio: true,
    path: path.join(app.dataDir, 'clip.mp4'),
  });
  clip = await readFile(made.path);
});
afterAll(async () => {
  for (const runtime of workers) await runtime.close();
  await api?.close();
  await app?.close();
});

const detail = async (id: string) => (await api.get(`/api/videos/${id}`, player.token)).body;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const waitStatus = (id: string, statuses: string[], timeoutMs?: number) =>
  waitFor(
    `video ${id} to be ${statuses.join(' or ')}`,
    async () => {
      const d = await detail(id);
      return statuses.includes(d.status) ? d : undefined;
    },
    timeoutMs,
  );

const job = async (id: string) =>
  (
    await app.runtime.ctx.pool.query(
      `SELECT j.state, j.retry_count FROM showcase.videos v JOIN pgboss.job j ON j.id = v.task_id WHERE v.id = $1`,
      [id],
    )
  ).rows[0] as { state: string; retry_count: number } | undefined;

const filesOf = async (id: string) => (await storedFiles(app)).filter((f) => f.includes(id));

async function ffprobe(file: string) {
  const { stdout } = await promisify(execFile)(resolveBinaries({}).ffprobe, [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    file,
  ]);
  return JSON.parse(stdout) as {
    format: { duration: string };
    streams: { codec_type: string; width?: number; height?: number }[];
  };
}

describe('the processing worker', () => {
  it('processes an upload into processed, with a 1280x720 file of at most 35 s and no audio', async () => {
    const worker = await startWorker();
    const id = await api.uploadClip(player.token, 'Clavada', clip);
    const done = await waitStatus(id, ['processed', 'failed']);
    expect(done).toMatchObject({
      status: 'processed',
      processed_url: `/videos/${id}/processed.mp4`,
      failure_reason: null,
    });
    expect(Date.parse(done.processed_at)).toBeGreaterThanOrEqual(Date.parse(done.uploaded_at));

    // What processed_url serves is the worker's output.
    const served = await fetch(`${app.url}${done.processed_url}`);
    expect(served.status).toBe(200);
    const file = path.join(app.dataDir, 'out.mp4');
    await writeFile(file, Buffer.from(await served.arrayBuffer()));
    const probe = await ffprobe(file);
    expect(Number(probe.format.duration)).toBeLessThanOrEqual(35);
    expect(probe.streams.filter((s) => s.codec_type === 'audio')).toEqual([]);
    expect(probe.streams.filter((s) => s.codec_type === 'video')).toMatchObject([
      { width: 1280, height: 720 },
    ]);
    expect(await job(id)).toMatchObject({ state: 'completed', retry_count: 0 });
    expect(await filesOf(id)).toEqual([`videos/${id}/original.mp4`, `videos/${id}/processed.mp4`]);
    await stopWorker(worker);
  });

  it('fails a corrupt upload at once with the reason: the same bytes would fail every retry', async () => {
    const worker = await startWorker();
    const id = await api.uploadClip(player.token, 'Roto', mp4(50_000));
    const done = await waitStatus(id, ['processed', 'failed']);
    expect(done.status).toBe('failed');
    expect(done.failure_reason).toMatch(/not a readable video|no video stream/);
    expect(done.processed_url).toBeNull();
    expect(await job(id)).toMatchObject({ state: 'completed', retry_count: 0 });
    expect((await fetch(`${app.url}/videos/${id}/processed.mp4`)).status).toBe(404);
    await stopWorker(worker);
  });

  it('retries an encode that failed for a passing reason, and fails the video with it after the last try', async () => {
    // No encode can finish in 100 ms: every try runs past its time limit.
    const worker = await startWorker({
      SHOWCASE_ENCODE_TIME_BASE: '100ms',
      SHOWCASE_ENCODE_TIME_PER_SECOND: '0',
    });
    const id = await api.uploadClip(player.token, 'Lento', clip);
    const done = await waitStatus(id, ['processed', 'failed']);
    expect(done.status).toBe('failed');
    expect(done.failure_reason).toMatch(/time limit/);
    // One retry, then pg-boss hands the job to the dead-letter queue.
    await waitFor('the job to fail', async () => ((await job(id))?.state === 'failed' ? true : undefined));
    expect(await job(id)).toMatchObject({ state: 'failed', retry_count: 1 });
    expect(await filesOf(id)).toEqual([`videos/${id}/original.mp4`]);
    await stopWorker(worker);
  });

  it('a worker stopped mid-encode leaves its job to retry and no file served; a restarted worker finishes it', async () => {
    const first = await startWorker();
    const id = await api.uploadClip(player.token, 'Interrumpido', clip);
    await waitStatus(id, ['processing']);
    // Until the encode writes its temporary file: the stop then surely cuts an encode short.
    await waitFor('the encode to start writing', async () =>
      (await filesOf(id)).some((f) => f.endsWith('.partial')) ? true : undefined,
    );
    await stopWorker(first);

    const waiting = await detail(id);
    expect(waiting).toMatchObject({ status: 'uploaded', processed_url: null, processed_at: null });
    expect((await fetch(`${app.url}/videos/${id}/processed.mp4`)).status).toBe(404);
    expect(await filesOf(id)).toEqual([`videos/${id}/original.mp4`]);
    // pg-boss counts the try when it hands the job out again.
    expect(await job(id)).toMatchObject({ state: 'retry', retry_count: 0 });

    const second = await startWorker();
    const done = await waitStatus(id, ['processed', 'failed']);
    expect(done.status).toBe('processed');
    expect((await fetch(`${app.url}/videos/${id}/processed.mp4`)).status).toBe(200);
    await stopWorker(second);
  });

  it('keeps nothing of a video deleted during its encode', async () => {
    const worker = await startWorker();
    const id = await api.uploadClip(player.token, 'Borrado', clip);
    await waitFor('the encode to start writing', async () =>
      (await filesOf(id)).some((f) => f.endsWith('.partial')) ? true : undefined,
    );
    expect((await api.del(`/api/videos/${id}`, player.token)).status).toBe(200);
    // The row is gone, so the job is found by its data; completed, not failed: nothing to retry.
    const ended = await waitFor('the job to complete', async () => {
      const { rows } = await app.runtime.ctx.pool.query(
        `SELECT state, retry_count FROM pgboss.job WHERE name = 'showcase-process' AND data->>'video_id' = $1`,
        [id],
      );
      return rows[0]?.state === 'completed' ? rows[0] : undefined;
    });
    expect(ended).toEqual({ state: 'completed', retry_count: 0 });
    expect(await filesOf(id)).toEqual([]);
    await stopWorker(worker);
  });

  it('fails a video whose last try was lost with its worker: pg-boss dead-letters its job', async () => {
    const id = await api.uploadClip(player.token, 'Perdido', clip);
    // As pg-boss does when the last try of a killed worker expires: the job moves to the dead letters.
    await app.runtime.ctx.pool.query(
      `DELETE FROM pgboss.job WHERE id = (SELECT task_id FROM showcase.videos WHERE id = $1)`,
      [id],
    );
    await app.runtime.ctx.jobs.send(PROCESS_DEAD_LETTER, { video_id: id });
    const worker = await startWorker();
    const done = await waitStatus(id, ['processed', 'failed']);
    expect(done.failure_reason).toMatch(/worker stopped or was lost on the last try/);
    await stopWorker(worker);
  });

  it('runs alone as `crucible worker --queues showcase`; killed outright mid-encode, it leaves nothing served', async () => {
    const child = spawn(process.execPath, [CLI, 'worker', '--queues', 'showcase'], {
      env: {
        ...process.env,
        LOG_LEVEL: 'info',
        DATA_DIR: app.dataDir,
        DATABASE_URL: app.databaseUrl,
        ...RETRY_ENV,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitFor('the worker to run', async () => (output.includes('workers running') ? true : undefined));
      expect(output).toContain('"services":["showcase"]');
      const first = await api.uploadClip(player.token, 'Proceso aparte', clip);
      expect((await waitStatus(first, ['processed', 'failed'])).status).toBe('processed');

      const second = await api.uploadClip(player.token, 'Proceso matado', clip);
      await waitFor('the encode to start writing', async () =>
        (await filesOf(second)).some((f) => f.endsWith('.partial')) ? true : undefined,
      );
      child.kill('SIGKILL');
      await exited;
      // The job stays active until pg-boss expires it and retries it; meanwhile nothing is served.
      expect(await detail(second)).toMatchObject({ status: 'processing', processed_url: null });
      expect((await fetch(`${app.url}/videos/${second}/processed.mp4`)).status).toBe(404);
      expect(await filesOf(second)).not.toContain(`videos/${second}/processed.mp4`);
      expect(await job(second)).toMatchObject({ state: 'active' });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('removes at start the partial outputs that killed workers left behind', async () => {
    const dir = path.join(app.dataDir, 'files', 'videos', '00000000-0000-4000-8000-000000000000');
    await mkdir(dir, { recursive: true });
    const stale = path.join(dir, '.processed.mp4.0123456789ab.partial');
    const fresh = path.join(dir, '.processed.mp4.ba9876543210.partial');
    await writeFile(stale, 'half an encode');
    await writeFile(fresh, 'an encode still running elsewhere');
    const anHourAgo = new Date(Date.now() - 3600_000);
    await utimes(stale, anHourAgo, anHourAgo);
    const worker = await startWorker();
    await waitFor('the stale partial to go', () =>
      stat(stale).then(
        () => undefined,
        () => true,
      ),
    );
    // Another worker process's encode in progress is left alone.
    expect((await stat(fresh)).isFile()).toBe(true);
    await stopWorker(worker);
    await rm(dir, { recursive: true });
  });
});
