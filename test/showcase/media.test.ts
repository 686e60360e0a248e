import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip, PHONE_CLIP } from '../../src/services/showcase/media/clips.js';
import { mediaConfig, type MediaConfig } from '../../src/services/showcase/media/config.js';
import { MediaError } from '../../src/services/showcase/media/errors.js';
import {
  createVideoProcessor,
  removeStalePartials,
  type VideoProcessor,
} from '../../src/services/showcase/media/processor.js';

let dir: string;
let phone: string;
let config: MediaConfig;
let media: VideoProcessor;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'showcase-media-'));
  config = mediaConfig({});
  media = createVideoProcessor(config, { assetsDir: path.join(dir, 'brand') });
  phone = (await makeClip({ ...PHONE_CLIP, path: path.join(dir, 'phone.mp4') })).path;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const partials = async () => (await readdir(dir)).filter((name) => name.endsWith('.partial'));
const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

async function failure(promise: Promise<unknown>): Promise<MediaError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MediaError);
  return err as MediaError;
}

/** The top-level MP4 boxes in order: faststart puts `moov` before `mdat`. */
async function topBoxes(file: string): Promise<string[]> {
  const bytes = await readFile(file);
  const boxes: string[] = [];
  for (let at = 0; at + 8 <= bytes.length;) {
    const size = bytes.readUInt32BE(at);
    boxes.push(bytes.toString('latin1', at + 4, at + 8));
    if (size < 8) break;
    at += size;
  }
  return boxes;
}

describe('processVideo', () => {
  it('trims a 40 s upload to 30 s between the cards, at 1280x720, without audio, faststart H.264', async () => {
    // Small and portrait, so mostly black padding, and the fastest preset: 34 s of 720p to encode.
    const long = await makeClip({
      seconds: 40,
      width: 180,
      height: 320,
      audio: true,
      fps: 15,
      path: path.join(dir, 'long.mp4'),
    });
    expect((await media.probe(long.path)).hasAudio).toBe(true);
    const output = path.join(dir, 'long-out.mp4');
    const quick = createVideoProcessor(
      { ...config, preset: 'ultrafast' },
      { assetsDir: path.join(dir, 'brand') },
    );

    const result = await quick.processVideo({ input: long.path, output });

    const made = await media.probe(output);
    expect(made.durationSec).toBeLessThanOrEqual(35);
    expect(made.durationSec).toBeGreaterThan(33);
    expect(made.video).toEqual({ codec: 'h264', width: 1280, height: 720 });
    expect(made.hasAudio).toBe(false);
    expect(made.streams.map((s) => s.type)).toEqual(['video']);
    expect(result).toMatchObject({ output, inputSeconds: 40, bytes: (await stat(output)).size });
    const boxes = await topBoxes(output);
    expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
    expect(await partials()).toEqual([]);
  });

  it('refuses random bytes named .mp4 with a reason', async () => {
    const input = path.join(dir, 'random.mp4');
    await writeFile(input, Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919 + 13) % 251)));
    const output = path.join(dir, 'random-out.mp4');
    const err = await failure(media.processVideo({ input, output }));
    expect(err.kind).toBe('invalid-input');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^not a readable video: .+/);
    expect(err.message).not.toContain(dir);
    expect(await exists(output)).toBe(false);
  });

  it('refuses a truncated MP4 whose index survived, by the video missing from its end', async () => {
    const input = path.join(dir, 'truncated.mp4');
    await writeFile(input, await readFile(phone));
    await truncate(input, Math.floor((await stat(input)).size / 2));
    const output = path.join(dir, 'truncated-out.mp4');
    const err = await failure(media.processVideo({ input, output }));
    expect(err.kind).toBe('invalid-input');
    expect(err.message).toMatch(/truncated or damaged: only [\d.]+ s of its 5\.0 s/);
    expect(await exists(output)).toBe(false);
    expect(await partials()).toEqual([]);
  });

  it('refuses an image and an empty file', async () => {
    const empty = path.join(dir, 'empty.mp4');
    await writeFile(empty, '');
    expect((await failure(media.probe(empty))).kind).toBe('invalid-input');
    const image = path.join(dir, 'brand', 'showcase-intro.png');
    expect((await failure(media.probe(image))).message).toMatch(/no duration/);
  });

  it.runIf(process.platform === 'linux')(
    'encodes at the lowest CPU priority, threads included, so requests come first',
    async () => {
      let niceness: number[] = [];
      await media.processVideo({
        input: phone,
        output: path.join(dir, 'nice-out.mp4'),
        // While it writes, every thread of ffmpeg (x264's included) as the kernel sees it.
        onProgress: () => {
          if (niceness.length > 0) return;
          const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
          const ffmpeg = pids.find((p) =>
            readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('nice-out.mp4'),
          );
          if (!ffmpeg) return;
          niceness = readdirSync(`/proc/${ffmpeg}/task`).map((t) =>
            Number(readFileSync(`/proc/${ffmpeg}/task/${t}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]),
          );
        },
      });
      expect(niceness.length).toBeGreaterThan(1);
      expect(new Set(niceness)).toEqual(new Set([19]));
    },
  );

  it('kills an encode that stops making progress and leaves no output', async () => {
    const stalling = createVideoProcessor(
      { ...config, stallTimeoutMs: 1000 },
      { assetsDir: path.join(dir, 'brand') },
    );
    const output = path.join(dir, 'stalled-out.mp4');
    let pid = 0;
    const run = stalling.processVideo({
      input: phone,
      output,
      onSpawn: (p) => (pid = p),
      // SIGSTOP once it has begun writing: a stuck encoder, not one that never started.
      onProgress: () => pid && process.kill(pid, 'SIGSTOP'),
    });
    const err = await failure(run);
    expect(err.kind).toBe('stalled');
    expect(err.message).toMatch(/no progress for 1 s/);
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    expect(await exists(output)).toBe(false);
    expect(await partials()).toEqual([]);
  });

  it('kills an encode past its time limit, and one cancelled by its signal', async () => {
    const hurried = createVideoProcessor(
      { ...config, timeBaseMs: 300, timePerSecondMs: 0 },
      { assetsDir: path.join(dir, 'brand') },
    );
    const output = path.join(dir, 'limited-out.mp4');
    expect((await failure(hurried.processVideo({ input: phone, output }))).kind).toBe('time-limit');

    const abort = new AbortController();
    const cancelled = media.processVideo({
      input: phone,
      output,
      signal: abort.signal,
      onSpawn: () => abort.abort(),
    });
    const err = await failure(cancelled);
    expect(err.kind).toBe('aborted');
    expect(err.retryable).toBe(true);
    expect(await exists(output)).toBe(false);
    expect(await partials()).toEqual([]);
  });

  it('writes into a temporary file and renames it over the previous output only when complete', async () => {
    const output = path.join(dir, 'retry-out.mp4');
    await writeFile(output, 'the output of an earlier attempt');
    const seen: Array<{ output: string; partials: number }> = [];
    let checking: Promise<void> | undefined;
    await media.processVideo({
      input: phone,
      output,
      onProgress: () => {
        checking ??= (async () => {
          seen.push({ output: await readFile(output, 'utf8'), partials: (await partials()).length });
        })();
      },
    });
    await checking;
    expect(seen).toEqual([{ output: 'the output of an earlier attempt', partials: 1 }]);
    expect((await media.probe(output)).video.width).toBe(1280);
    expect(await partials()).toEqual([]);
  });

  it('runs at most `concurrency` encodes at once; the others wait their turn', async () => {
    const single = createVideoProcessor(
      { ...config, concurrency: 1 },
      { assetsDir: path.join(dir, 'brand') },
    );
    let most = 0;
    const watch = () => (most = Math.max(most, single.active));
    const [a, b] = await Promise.all(
      ['a', 'b'].map((name) =>
        single.processVideo({ input: phone, output: path.join(dir, `${name}-out.mp4`), onProgress: watch }),
      ),
    );
    expect(most).toBe(1);
    expect(Math.max(a!.queuedMs, b!.queuedMs)).toBeGreaterThan(0);
    expect(single.queued).toBe(0);
  });
});

describe('the yardstick', () => {
  it('is the same transform as one ffmpeg command that runs alone', async () => {
    const output = path.join(dir, 'bare-out.mp4');
    const command = await media.yardstick(phone, output);
    expect(command.args).not.toContain('-progress');
    expect(command.line).toContain("-filter_complex '[0:v]scale=");
    const code = await new Promise<number | null>((resolve) =>
      spawn(command.file, command.args, { stdio: 'ignore' }).on('close', resolve),
    );
    expect(code).toBe(0);
    const made = await media.probe(output);
    expect(made.video).toMatchObject({ width: 1280, height: 720 });
    expect(made.durationSec).toBeCloseTo(9, 0);
  });
});

describe('media config and housekeeping', () => {
  it('reads its variables and refuses bad ones', () => {
    const env = {
      FFMPEG_PATH: '/opt/ffmpeg',
      SHOWCASE_ENCODE_CONCURRENCY: '3',
      SHOWCASE_ENCODE_STALL_TIMEOUT: '5s',
      SHOWCASE_X264_PRESET: 'superfast',
    };
    expect(mediaConfig(env)).toMatchObject({
      ffmpegPath: '/opt/ffmpeg',
      ffprobePath: undefined,
      concurrency: 3,
      stallTimeoutMs: 5000,
      preset: 'superfast',
      crf: 23,
    });
    expect(mediaConfig({}).concurrency).toBe(Math.max(1, Math.floor(os.availableParallelism() / 2)));
    expect(() => mediaConfig({ SHOWCASE_X264_PRESET: 'placebo-ish' })).toThrow(/SHOWCASE_X264_PRESET/);
    expect(() => mediaConfig({ SHOWCASE_ENCODE_CONCURRENCY: '0' })).toThrow(/SHOWCASE_ENCODE_CONCURRENCY/);
  });

  it('says which executable is missing', async () => {
    const broken = createVideoProcessor(
      { ...config, ffmpegPath: path.join(dir, 'no-ffmpeg') },
      { assetsDir: path.join(dir, 'brand') },
    );
    const err = await failure(broken.processVideo({ input: phone, output: path.join(dir, 'never.mp4') }));
    expect(err.message).toMatch(/ffmpeg not found at .*no-ffmpeg/);
    const noProbe = createVideoProcessor({ ...config, ffprobePath: path.join(dir, 'no-ffprobe') });
    expect((await failure(noProbe.probe(phone))).message).toMatch(/ffprobe not found/);
  });

  it('removes what a killed worker left, once it is old enough', async () => {
    const left = path.join(dir, '.x.mp4.0123456789ab.partial');
    const fresh = path.join(dir, '.y.mp4.0123456789ab.partial');
    await (await open(left, 'w')).close();
    await (await open(fresh, 'w')).close();
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(left, hourAgo, hourAgo);
    expect(await removeStalePartials(dir, 600_000)).toBe(1);
    expect(await partials()).toEqual(['.y.mp4.0123456789ab.partial']);
    await rm(fresh);
  });
});
