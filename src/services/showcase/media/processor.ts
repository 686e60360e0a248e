import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveBinaries, type Binaries } from './binaries.js';
import { writeBrandAssets, type BrandAssets } from './brand.js';
import type { MediaConfig } from './config.js';
import { runFfmpeg } from './encode.js';
import { MediaError } from './errors.js';
import { probe, type ProbeResult } from './probe.js';
import { Semaphore } from './semaphore.js';
import {
  FRAME_HEIGHT,
  FRAME_WIDTH,
  INTRO_SECONDS,
  OUTRO_SECONDS,
  outputSeconds,
  transformArgs,
  yardstickCommand,
} from './transform.js';

export interface ProcessVideoOptions {
  input: string;
  /** Written whole or not at all: a temporary file beside it is renamed into place at the end. */
  output: string;
  signal?: AbortSignal;
  onProgress?: (outSeconds: number) => void;
  onSpawn?: (pid: number) => void;
}

export interface ProcessVideoResult {
  output: string;
  inputSeconds: number;
  outputSeconds: number;
  bytes: number;
  /** Waiting for a free encode slot. */
  queuedMs: number;
  encodeMs: number;
}

export interface VideoProcessorOptions {
  /** Where the watermark and cards are drawn on first use; default a folder of the OS's temp dir. */
  assetsDir?: string;
}

/** Temporary outputs end so; a worker killed mid-encode leaves one that `removeStalePartials` clears. */
export const PARTIAL_SUFFIX = '.partial';

/** Some decoders end a second early on clean input; more missing than this is a damaged upload. */
const MISSING_TOLERANCE_SEC = 1;

export type VideoProcessor = ReturnType<typeof createVideoProcessor>;

export function createVideoProcessor(config: MediaConfig, options: VideoProcessorOptions = {}) {
  const slots = new Semaphore(config.concurrency);
  const assetsDir = options.assetsDir ?? path.join(os.tmpdir(), 'crucible-showcase-brand');
  let binaries: Binaries | undefined;
  let assets: Promise<BrandAssets> | undefined;
  const bin = () => (binaries ??= resolveBinaries(config));
  const brand = () => {
    assets ??= writeBrandAssets(assetsDir).catch((err: unknown) => {
      assets = undefined;
      throw err;
    });
    return assets;
  };

  async function processVideo(o: ProcessVideoOptions): Promise<ProcessVideoResult> {
    const queuedAt = Date.now();
    return slots.run(async () => {
      const startedAt = Date.now();
      const { ffmpeg, ffprobe } = bin();
      const source = await probe(ffprobe, o.input);
      const expected = outputSeconds(source.durationSec);
      const temp = tempPath(o.output);
      try {
        const args = transformArgs({
          input: o.input,
          output: temp,
          assets: await brand(),
          preset: config.preset,
          crf: config.crf,
          progress: true,
        });
        await runFfmpeg(ffmpeg, args, {
          stallTimeoutMs: config.stallTimeoutMs,
          timeLimitMs: config.timeBaseMs + config.timePerSecondMs * expected,
          signal: o.signal,
          onProgress: o.onProgress,
          onSpawn: o.onSpawn,
        });
        const made = await checkOutput(ffprobe, temp, expected);
        await syncFile(temp);
        await rename(temp, o.output);
        return {
          output: o.output,
          inputSeconds: source.durationSec,
          outputSeconds: made.durationSec,
          bytes: (await stat(o.output)).size,
          queuedMs: startedAt - queuedAt,
          encodeMs: Date.now() - startedAt,
        };
      } finally {
        await rm(temp, { force: true });
      }
    });
  }

  return {
    processVideo,
    probe: (file: string) => probe(bin().ffprobe, file),
    /** The bare ffmpeg command of the same transform, for a benchmark to run alone. */
    async yardstick(input: string, output: string) {
      return yardstickCommand(bin().ffmpeg, {
        input,
        output,
        assets: await brand(),
        preset: config.preset,
        crf: config.crf,
      });
    },
    binaries: bin,
    get active() {
      return slots.inUse;
    },
    get queued() {
      return slots.queued;
    },
  };
}

/** Unique per attempt, so two attempts at one video never write into each other's file. */
function tempPath(output: string): string {
  return path.join(
    path.dirname(output),
    `.${path.basename(output)}.${randomBytes(6).toString('hex')}${PARTIAL_SUFFIX}`,
  );
}

/**
 * ffmpeg exits 0 on an upload whose data ends early (a truncated MP4 whose index survived): the
 * output is then shorter than the index promised, which is how such an upload is caught.
 */
async function checkOutput(ffprobe: string, file: string, expectedSec: number): Promise<ProbeResult> {
  let made: ProbeResult;
  try {
    made = await probe(ffprobe, file);
  } catch (err) {
    throw new MediaError('output', `ffmpeg wrote an unreadable output: ${(err as Error).message}`);
  }
  if (made.video.width !== FRAME_WIDTH || made.video.height !== FRAME_HEIGHT || made.hasAudio) {
    throw new MediaError(
      'output',
      `unexpected output: ${made.video.width}x${made.video.height}, audio ${made.hasAudio}`,
    );
  }
  if (made.durationSec < expectedSec - MISSING_TOLERANCE_SEC) {
    const cards = INTRO_SECONDS + OUTRO_SECONDS;
    const decoded = Math.max(0, made.durationSec - cards).toFixed(1);
    throw new MediaError(
      'invalid-input',
      `the video is truncated or damaged: only ${decoded} s of its ${(expectedSec - cards).toFixed(1)} s could be decoded`,
    );
  }
  return made;
}

async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Deletes temporary outputs older than `olderThanMs` in `dir`: what killed workers left. */
export async function removeStalePartials(dir: string, olderThanMs: number): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith('.') || !name.endsWith(PARTIAL_SUFFIX)) continue;
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > olderThanMs) {
      await rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}
