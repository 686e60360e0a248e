import os from 'node:os';
import { ConfigError, envReader, type Env, type EnvVars } from '../../../platform/config.js';
import { X264_PRESETS, type X264Preset } from './transform.js';

export interface MediaConfig {
  /** Unset: the static build shipped by `@ffmpeg-installer/ffmpeg`. */
  ffmpegPath: string | undefined;
  /** Unset: the static build shipped by `@ffprobe-installer/ffprobe`. */
  ffprobePath: string | undefined;
  /** Encodes running at once in this process. */
  concurrency: number;
  /** An encode that reports no new frame for this long is killed. */
  stallTimeoutMs: number;
  /** Time limit of one encode: `timeBaseMs` plus `timePerSecondMs` per second of output. */
  timeBaseMs: number;
  timePerSecondMs: number;
  preset: X264Preset;
  crf: number;
}

export const SHOWCASE_MEDIA_ENV = {
  FFMPEG_PATH: {
    default: '(unset: the static build of @ffmpeg-installer/ffmpeg)',
    doc: 'ffmpeg executable the showcase worker runs (needs libx264 and the overlay, pad and concat filters)',
  },
  FFPROBE_PATH: {
    default: '(unset: the static build of @ffprobe-installer/ffprobe)',
    doc: 'ffprobe executable that reads the duration and streams of each upload and checks each output',
  },
  SHOWCASE_ENCODE_CONCURRENCY: {
    default: '(unset: half the cores, at least 1)',
    doc: 'encodes at once per worker process; one x264 encode already keeps about 1.7 cores busy',
  },
  SHOWCASE_ENCODE_STALL_TIMEOUT: {
    default: '30s',
    doc: 'an encode that reports no new frame for this long is killed (500ms, 30s, 2m; a bare number is seconds)',
  },
  SHOWCASE_ENCODE_TIME_BASE: {
    default: '60s',
    doc: 'time limit of one encode, fixed part (same format)',
  },
  SHOWCASE_ENCODE_TIME_PER_SECOND: {
    default: '4s',
    doc: 'time limit of one encode, added per second of output video (same format); a 34 s output is allowed 60 s + 34 × 4 s',
  },
  SHOWCASE_X264_PRESET: {
    default: 'veryfast',
    doc: `x264 preset of the processed videos: ${X264_PRESETS.join(', ')}`,
  },
  SHOWCASE_X264_CRF: {
    default: '23',
    doc: 'x264 constant rate factor, 0 (lossless) to 51; lower is better quality and larger files',
  },
} satisfies EnvVars;

export function mediaConfig(env: Env): MediaConfig {
  const vars = envReader(env, SHOWCASE_MEDIA_ENV);
  const concurrency = env.SHOWCASE_ENCODE_CONCURRENCY?.trim()
    ? vars.int('SHOWCASE_ENCODE_CONCURRENCY', 1, 256)
    : defaultConcurrency();
  return {
    ffmpegPath: executable(env, 'FFMPEG_PATH'),
    ffprobePath: executable(env, 'FFPROBE_PATH'),
    concurrency,
    stallTimeoutMs: vars.durationMs('SHOWCASE_ENCODE_STALL_TIMEOUT', 100, 3_600_000),
    timeBaseMs: vars.durationMs('SHOWCASE_ENCODE_TIME_BASE', 100, 3_600_000),
    timePerSecondMs: vars.durationMs('SHOWCASE_ENCODE_TIME_PER_SECOND', 0, 600_000),
    preset: vars.oneOf('SHOWCASE_X264_PRESET', X264_PRESETS),
    crf: vars.int('SHOWCASE_X264_CRF', 0, 51),
  };
}

/**
 * x264 spreads one encode over the cores by itself (measured on 2 cores: 1.7 cores busy), so
 * two encodes per core pair gain about 6 % throughput while doubling each one's latency.
 */
export function defaultConcurrency(): number {
  return Math.max(1, Math.floor(os.availableParallelism() / 2));
}

function executable(env: Env, name: 'FFMPEG_PATH' | 'FFPROBE_PATH'): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (raw.includes('\0')) throw new ConfigError(name, 'must be a path to an executable');
  return raw;
}
