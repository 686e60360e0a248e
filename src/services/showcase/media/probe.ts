import { execFile } from 'node:child_process';
import { MediaError } from './errors.js';

export interface ProbeResult {
  durationSec: number;
  format: string;
  video: { codec: string; width: number; height: number };
  hasAudio: boolean;
  streams: Array<{ type: string; codec: string }>;
}

interface FfprobeJson {
  format?: { duration?: string; format_name?: string };
  streams?: Array<{
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    duration?: string;
  }>;
}

const PROBE_TIMEOUT_MS = 30_000;

/** Duration and streams of `file`; anything that is not a playable video is `invalid-input`. */
export async function probe(ffprobe: string, file: string): Promise<ProbeResult> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file];
  const { stdout, stderr, failed } = await run(ffprobe, args);
  if (failed) {
    throw new MediaError(
      'invalid-input',
      `not a readable video: ${reason(stderr, file) || 'ffprobe failed'}`,
    );
  }
  let json: FfprobeJson;
  try {
    json = JSON.parse(stdout) as FfprobeJson;
  } catch {
    throw new MediaError('invalid-input', 'not a readable video: ffprobe gave no description of it');
  }
  const streams = json.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && (s.width ?? 0) > 0 && (s.height ?? 0) > 0);
  if (!video) throw new MediaError('invalid-input', 'the file has no video stream');
  // The video's own duration, not the container's: a longer audio track must not make the
  // output look truncated. A still image has a video stream but no duration at all.
  const durationSec = Number(video.duration ?? json.format?.duration);
  if (!(durationSec > 0)) throw new MediaError('invalid-input', 'the video has no duration (a still image?)');
  return {
    durationSec,
    format: json.format?.format_name ?? 'unknown',
    video: { codec: video.codec_name ?? 'unknown', width: video.width!, height: video.height! },
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
    streams: streams.map((s) => ({ type: s.codec_type ?? 'unknown', codec: s.codec_name ?? 'unknown' })),
  };
}

function run(file: string, args: string[]): Promise<{ stdout: string; stderr: string; failed: boolean }> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: PROBE_TIMEOUT_MS, maxBuffer: 8 << 20, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new MediaError('ffmpeg', `ffprobe not found at ${file}`));
          return;
        }
        resolve({ stdout, stderr, failed: err !== null });
      },
    );
  });
}

/**
 * The last two distinct messages of an FFmpeg tool's stderr ("moov atom not found; Invalid data
 * found when processing input"), without the `[demuxer @ 0x…]` prefixes or the server's paths.
 */
export function reason(stderr: string, file?: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => {
      const bare = line.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i, '').trim();
      return file ? bare.replaceAll(`${file}: `, '') : bare;
    })
    .filter((line, i, all) => line !== '' && all.indexOf(line) === i);
  return lines.slice(-2).join('; ').slice(0, 300);
}
