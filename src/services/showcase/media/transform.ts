import type { BrandAssets } from './brand.js';

/** The spec's transform: at most 30 s of the upload, 1280×720, cards of at most 5 s together. */
export const MAX_MAIN_SECONDS = 30;
export const INTRO_SECONDS = 2;
export const OUTRO_SECONDS = 2;
export const FRAME_WIDTH = 1280;
export const FRAME_HEIGHT = 720;
export const FPS = 30;
const WATERMARK_MARGIN = 24;

export const X264_PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
] as const;
export type X264Preset = (typeof X264_PRESETS)[number];

export interface TransformOptions {
  input: string;
  output: string;
  assets: BrandAssets;
  preset: X264Preset;
  crf: number;
  /** Adds `-progress pipe:1`: key=value lines on stdout that the watchdog reads. */
  progress?: boolean;
}

/** Seconds the output lasts for an input of `inputSeconds`. */
export function outputSeconds(inputSeconds: number): number {
  return INTRO_SECONDS + Math.min(inputSeconds, MAX_MAIN_SECONDS) + OUTRO_SECONDS;
}

/**
 * The scale keeps the display aspect (`dar`, so non-square pixels come out right) and fits
 * inside 1280×720 at even sizes; pad centres it on black. fps=30 makes the three parts one
 * rate for concat and halves the encoder's work on 60 fps phone video.
 */
export function filterGraph(): string {
  const w = FRAME_WIDTH;
  const h = FRAME_HEIGHT;
  const wide = `gte(dar,${w}/${h})`;
  const main = [
    `scale=w='if(${wide},${w},trunc(${h}*dar/2)*2)':h='if(${wide},trunc(${w}/dar/2)*2,${h})'`,
    `pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:black`,
    'setsar=1',
    `fps=${FPS}`,
    'format=yuv420p',
  ].join(',');
  const card = 'setsar=1,format=yuv420p';
  const m = WATERMARK_MARGIN;
  return [
    `[0:v]${main}[main]`,
    `[main][3:v]overlay=W-w-${m}:H-h-${m}[marked]`,
    `[1:v]${card}[intro]`,
    `[2:v]${card}[outro]`,
    '[intro][marked][outro]concat=n=3:v=1:a=0[v]',
  ].join(';');
}

/**
 * The whole transform as one ffmpeg invocation. `-t` before `-i` stops reading the upload at
 * 30 s instead of decoding all of it; only the filtered video is mapped, so audio, subtitles
 * and data streams are dropped, and `-map_metadata -1` drops a phone's location tags. veryfast
 * (the default) costs about 15 % more time than superfast on 2 cores for a file a third the size,
 * which every viewer downloads.
 */
export function transformArgs(o: TransformOptions): string[] {
  const card = (file: string, seconds: number) => [
    '-loop',
    '1',
    '-framerate',
    String(FPS),
    '-t',
    String(seconds),
    '-i',
    file,
  ];
  return [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    ...(o.progress ? ['-progress', 'pipe:1', '-nostats'] : []),
    '-y',
    '-t',
    String(MAX_MAIN_SECONDS),
    '-i',
    o.input,
    ...card(o.assets.intro, INTRO_SECONDS),
    ...card(o.assets.outro, OUTRO_SECONDS),
    '-i',
    o.assets.watermark,
    '-filter_complex',
    filterGraph(),
    '-map',
    '[v]',
    '-an',
    '-map_metadata',
    '-1',
    '-c:v',
    'libx264',
    '-preset',
    o.preset,
    '-crf',
    String(o.crf),
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    o.output,
  ];
}

/** The same transform as a command a benchmark runs alone: the pipeline's physical limit. */
export function yardstickCommand(
  ffmpeg: string,
  o: Omit<TransformOptions, 'progress'>,
): { file: string; args: string[]; line: string } {
  const args = transformArgs({ ...o, progress: false });
  return { file: ffmpeg, args, line: [ffmpeg, ...args].map(shellQuote).join(' ') };
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
