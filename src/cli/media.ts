import { InvalidArgumentError, type Command } from 'commander';
import path from 'node:path';
import { makeClip } from '../services/showcase/media/clips.js';
import { mediaConfig } from '../services/showcase/media/config.js';
import { createVideoProcessor } from '../services/showcase/media/processor.js';
import type { Io } from './program.js';

const int = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
  return n;
};

/**
 * The showcase worker's media tools as commands, for scenarios and benchmarks, which reach the
 * product only through its HTTP API and this command: a generated clip, and the bare FFmpeg
 * command of the worker's transform (the yardstick its throughput is measured against).
 */
export function addMediaCommand(program: Command, io: Io): void {
  const media = program.command('media').description("The showcase worker's video tools");
  media
    .command('clip')
    .description("Write an MP4 of FFmpeg's test pattern and a tone (H.264/AAC); prints {path, bytes} as JSON")
    .argument('<file>', 'where to write it')
    .option('--seconds <n>', 'length', int(1, 3600), 60)
    .option('--width <n>', 'frame width', int(16, 7680), 1920)
    .option('--height <n>', 'frame height', int(16, 4320), 1080)
    .option('--no-audio', 'no audio track')
    .action(async (file: string, o: { seconds: number; width: number; height: number; audio: boolean }) => {
      const config = mediaConfig(io.env);
      const made = await makeClip({ ...o, path: path.resolve(file), ffmpegPath: config.ffmpegPath });
      io.out(JSON.stringify(made));
    });
  media
    .command('yardstick')
    .description(
      "Print the bare ffmpeg command of the worker's transform from <input> to <output>, with this " +
        "environment's settings (SHOWCASE_X264_PRESET, SHOWCASE_X264_CRF, FFMPEG_PATH), as JSON {file, args, line}",
    )
    .argument('<input>', 'an MP4')
    .argument('<output>', 'where the command writes')
    .action(async (input: string, output: string) => {
      const processor = createVideoProcessor(mediaConfig(io.env));
      io.out(JSON.stringify(await processor.yardstick(path.resolve(input), path.resolve(output))));
    });
}
