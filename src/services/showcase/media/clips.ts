import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { resolveBinaries } from './binaries.js';
import { runFfmpeg } from './encode.js';

export interface ClipOptions {
  seconds: number;
  width: number;
  height: number;
  audio: boolean;
  path: string;
  /** Default 30. */
  fps?: number;
  /**
   * Video bitrate; default about 0.04 bit per pixel and frame (2.5 Mbit/s at 1080p30, so a 60 s
   * clip weighs ~19 MB like the original's 18 MB test file).
   */
  kbps?: number;
  ffmpegPath?: string | undefined;
}

/** A 5 s portrait phone clip of about 300 KB, the size the capacity scenario uploads. */
export const PHONE_CLIP = { seconds: 5, width: 720, height: 1280, audio: true, kbps: 400 } as const;
/** The worker scenario's clip: 60 s of 1080p, twice what the transform keeps. */
export const HD_CLIP = { seconds: 60, width: 1920, height: 1080, audio: true } as const;

/**
 * An H.264/AAC MP4 of FFmpeg's moving test pattern and a tone, made from its lavfi sources, so
 * tests, seeds and scenarios need no video file. Written whole or not at all.
 */
export async function makeClip(o: ClipOptions): Promise<{ path: string; bytes: number }> {
  const fps = o.fps ?? 30;
  const kbps = o.kbps ?? Math.max(200, Math.round((o.width * o.height * fps * 0.04) / 1000));
  const ffmpeg = resolveBinaries({ ffmpegPath: o.ffmpegPath }).ffmpeg;
  await mkdir(path.dirname(o.path), { recursive: true });
  const temp = `${o.path}.${randomBytes(6).toString('hex')}.partial`;
  const args = [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-progress',
    'pipe:1',
    '-nostats',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${o.width}x${o.height}:rate=${fps}:duration=${o.seconds}`,
    ...(o.audio ? ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${o.seconds}`] : []),
    // ultrafast: a generated clip should cost little; the bitrate, not the preset, sets its size.
    ...[
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-b:v',
      `${kbps}k`,
      '-maxrate',
      `${kbps * 2}k`,
      '-bufsize',
      `${kbps * 2}k`,
    ],
    ...['-pix_fmt', 'yuv420p', '-g', String(fps * 2)],
    ...(o.audio ? ['-c:a', 'aac', '-b:a', '64k'] : []),
    ...['-movflags', '+faststart', '-f', 'mp4', temp],
  ];
  try {
    await runFfmpeg(ffmpeg, args, { stallTimeoutMs: 30_000, timeLimitMs: 60_000 + o.seconds * 10_000 });
    await rename(temp, o.path);
  } finally {
    await rm(temp, { force: true });
  }
  return { path: o.path, bytes: (await stat(o.path)).size };
}
