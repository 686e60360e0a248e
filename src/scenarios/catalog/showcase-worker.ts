import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Scenario, ScenarioContext, Size } from '../scenario.js';
import { crucible, inTurns, makeClip, ownStatuses, player, total, uploadForm } from './showcase-data.js';

const PLAN: Record<Size, { clips: number; seconds: number; width: number; height: number }> = {
  // HD_CLIP of the showcase's media tools: 60 s of 1080p with audio, twice what the transform keeps.
  full: { clips: 8, seconds: 60, width: 1920, height: 1080 },
  smoke: { clips: 2, seconds: 3, width: 640, height: 360 },
};
/**
 * Encodes at once, in the server (SHOWCASE_ENCODE_CONCURRENCY) and in the yardstick alike: the
 * worker's default, half the cores, since one x264 encode already keeps about two busy.
 */
const PARALLEL = Math.max(1, Math.floor(os.availableParallelism() / 2));
const CORES = os.availableParallelism();
const RATIO_GOAL = 0.9;
const POLL_MS = 250;
/** The original's figure: an 18 MB file scaled and padded to 1080p, audio kept, on 2 vCPU. */
const SEED_VIDEOS_PER_MIN = 9.7;

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg exit ${code}: ${stderr}`)),
    );
  });
}

/** The bare command of the worker's transform on each clip, `PARALLEL` at once: seconds taken. */
async function yardstick(
  dir: string,
  clip: string,
  clips: number,
): Promise<{ seconds: number; line: string }> {
  const commands = await Promise.all(
    Array.from({ length: clips }, (_, i) => {
      const out = path.join(dir, `yardstick-${i}.mp4`);
      return crucible<{ file: string; args: string[]; line: string }>(['media', 'yardstick', clip, out]);
    }),
  );
  const started = performance.now();
  await inTurns(commands.length, PARALLEL, (i) => run(commands[i]!.file, commands[i]!.args));
  return { seconds: (performance.now() - started) / 1000, line: commands[0]!.line };
}

/** Polls the player's own videos until `expected` of them are processed or failed. */
async function waitProcessed(ctx: ScenarioContext, auth: string, expected: number, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const count = await ownStatuses(ctx, auth);
    const done = { processed: count.processed, failed: count.failed, total: total(count) };
    if (done.processed + done.failed >= expected || Date.now() > until) return done;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export const showcaseWorker: Scenario = {
  name: 'showcase.worker',
  title: 'Showcase: processed videos per minute, against the bare FFmpeg command of the same transform',
  description:
    'Generates a 1080p clip with audio (60 s at full size), then the yardstick: the bare ffmpeg command of the ' +
    "worker's transform (trim to 30 s, scale and pad to 1280x720, watermark, intro and outro cards, audio removed) " +
    `run alone on the same cores for each of N copies, ${PARALLEL} at once (the worker's encode concurrency). Then N ` +
    'uploads of the clip through POST /api/videos/upload at once, and the time until GET /api/videos shows every ' +
    'one processed: upload, the job queue, the worker, its probes and checks, and the status updates. The ratio is ' +
    'the pipeline over the yardstick.',
  sixParts: {
    source: 'players uploading phone-sized skill videos (here, 60 s of 1080p each)',
    stimulus: 'N uploads at once through POST /api/videos/upload',
    environment: `one crucible serve with its workers (encode concurrency ${PARALLEL}) on an embedded PostgreSQL; the yardstick on the same cores, alone`,
    artifact: 'upload → pg-boss job → processing worker (ffprobe, ffmpeg, checks, rename) → status processed',
    response: 'every video processed, none failed',
    responseMeasure: `videos/min of the pipeline ≥ ${RATIO_GOAL} × the bare FFmpeg command's; reported per core`,
  },
  availabilityDefinition:
    'good = 201 to an upload; 4xx, 5xx and no answer within 60 s are bad. The throughput counts from the first ' +
    'upload sent to the poll that saw every video processed.',
  seedFigure: `${SEED_VIDEOS_PER_MIN} videos/min on 2 vCPU (an 18 MB file scaled and padded to 1080p, audio kept)`,
  serverEnv: { SHOWCASE_ENCODE_CONCURRENCY: String(PARALLEL) },
  workload: (size) => ({ model: 'open', stages: [{ rate: PLAN[size].clips, durationS: 1 }] }),
  headline: 'ratio',
  criteria: (size) => [
    `processed == ${PLAN[size].clips}`,
    'failed == 0',
    // Smoke size runs a few seconds of short clips inside a busy test run: its ratio says little.
    ...(size === 'full' ? [`ratio >= ${RATIO_GOAL}`] : []),
  ],
  async run(ctx) {
    const plan = PLAN[ctx.size];
    const dir = await mkdtemp(path.join(os.tmpdir(), 'showcase-worker-'));
    try {
      const clipPath = path.join(dir, 'clip.mp4');
      const clip = await makeClip(clipPath, plan);
      ctx.log(
        `clip: ${plan.seconds} s ${plan.width}x${plan.height}, ${round(clip.bytes / 1e6, 1)} MB; ${plan.clips} copies`,
      );

      const stick = await yardstick(dir, clipPath, plan.clips);
      const stickPerMin = (plan.clips / stick.seconds) * 60;
      ctx.log(
        `yardstick: ${plan.clips} bare ffmpeg runs, ${PARALLEL} at once, in ${round(stick.seconds)} s (${round(stickPerMin)} videos/min)`,
      );

      const auth = await player(ctx, `worker.${Date.now().toString(36)}`, 0);
      const form = uploadForm(await readFile(clipPath));
      const started = performance.now();
      const uploads = await ctx.load(
        {
          workload: { model: 'open', stages: [{ rate: plan.clips, durationS: 1 }] },
          request: () => ({
            method: 'POST',
            path: '/api/videos/upload',
            headers: { authorization: auth, 'content-type': form.type },
            body: form.body,
          }),
          isGood: (status) => status === 201,
          timeoutMs: 60_000,
        },
        'upload',
      );
      // Room for a slow machine: ten times the yardstick's pace, and a minute.
      const done = await waitProcessed(ctx, auth, uploads.good, 60_000 + stick.seconds * 10_000);
      const seconds = (performance.now() - started) / 1000;
      const perMin = (done.processed / seconds) * 60;
      ctx.log(
        `pipeline: ${done.processed} processed, ${done.failed} failed in ${round(seconds)} s (${round(perMin)} videos/min, ` +
          `${round(perMin / CORES)} per core; ratio ${round(perMin / stickPerMin, 3)})`,
      );
      return {
        result: uploads,
        measures: {
          clips: plan.clips,
          clip_seconds: plan.seconds,
          clip_size: `${plan.width}x${plan.height}`,
          clip_mb: round(clip.bytes / 1e6, 1),
          parallel: PARALLEL,
          cores: CORES,
          uploaded: uploads.good,
          processed: done.processed,
          failed: done.failed,
          pipeline_s: round(seconds),
          videos_per_min: round(perMin),
          videos_per_min_per_core: round(perMin / CORES),
          yardstick_s: round(stick.seconds),
          yardstick_videos_per_min: round(stickPerMin),
          ratio: round(perMin / stickPerMin, 3),
          seed_videos_per_min: SEED_VIDEOS_PER_MIN,
          yardstick_command: stick.line,
        },
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
