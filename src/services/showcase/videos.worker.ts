import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { JobWithMetadata } from '../../platform/jobs/jobs.js';
import type { ServiceContext } from '../../platform/service.js';
import { showcaseConfig } from './config.js';
import { mediaConfig } from './media/config.js';
import { MediaError } from './media/errors.js';
import { createVideoProcessor, removeStalePartials } from './media/processor.js';
import * as videos from './videos.repository.js';
import {
  createProcessQueue,
  originalKey,
  PROCESS_DEAD_LETTER,
  PROCESS_QUEUE,
  processedKey,
  type ProcessJob,
} from './videos.keys.js';

/**
 * A partial output this old belongs to no live encode: one that runs writes it continually, and is
 * killed when it stops making progress for the stall timeout.
 */
const staleAfter = (stallTimeoutMs: number) => Math.max(60_000, 2 * stallTimeoutMs);

/**
 * The processing worker: one pg-boss consumer per encode slot (half the cores by default, since
 * x264 already spreads one encode over about two), each taking one job at a time, so a job is
 * never fetched to wait in this process while another worker process is idle.
 */
export async function startProcessWorkers(ctx: ServiceContext): Promise<() => Promise<void>> {
  const { db, storage, log } = ctx;
  const config = showcaseConfig(ctx.env);
  const media = mediaConfig(ctx.env);
  const processor = createVideoProcessor(media);
  const videosRoot = storage.localPath('videos');
  // @TODO object storage: stage the original and the output through a local temporary directory.
  if (!videosRoot) throw new Error('the showcase worker needs its storage on a local directory');
  await createProcessQueue(ctx, {
    retries: config.processRetries,
    delaySeconds: config.processRetryDelaySeconds,
  });

  const stop = new AbortController();
  const running = new Set<Promise<void>>();
  const cleaning = removeLeftovers(videosRoot, staleAfter(media.stallTimeoutMs)).then(
    (removed) => removed > 0 && log.info({ removed }, 'removed partial outputs of stopped encodes'),
    (err: unknown) => log.warn({ err }, 'could not look for partial outputs of stopped encodes'),
  );

  async function processOne(job: JobWithMetadata<ProcessJob>): Promise<void> {
    const id = job.data.video_id;
    const lastTry = job.retryCount >= job.retryLimit;
    // Not started: the job is failed untouched and a running worker retries it.
    if (stop.signal.aborted) throw new MediaError('aborted', 'the worker is stopping');
    if (!(await videos.startProcessing(db, id))) {
      log.info({ videoId: id }, 'video deleted or already done: nothing to process');
      return;
    }
    const output = storage.localPath(processedKey(id))!;
    try {
      // A try that ran in a worker killed outright left its partial output here.
      await removeStalePartials(path.dirname(output), staleAfter(media.stallTimeoutMs));
      const made = await processor.processVideo({
        input: storage.localPath(originalKey(id))!,
        output,
        signal: stop.signal,
      });
      if (!(await videos.finishProcessing(db, id))) {
        // Deleted while it was encoded: the delete removed the files before this one existed.
        await storage.remove(processedKey(id));
        log.info({ videoId: id }, 'video deleted during its encode: output discarded');
        return;
      }
      log.info(
        { videoId: id, seconds: made.outputSeconds, bytes: made.bytes, encodeMs: made.encodeMs },
        'video processed',
      );
    } catch (err) {
      // Deleted meanwhile, its original with it: nothing to retry, nothing to keep.
      if (!(await videos.findVideo(db, id))) {
        log.info({ videoId: id }, 'video deleted during its encode: nothing kept');
        return;
      }
      const failure = err instanceof MediaError ? err : undefined;
      const reason = failure?.message ?? `processing failed: ${(err as Error).message}`;
      if (failure && !failure.retryable) {
        // The same bytes fail the same way on every try: failed now, the job is done.
        await videos.failProcessing(db, id, reason);
        log.info({ videoId: id, reason }, 'video failed');
        return;
      }
      if (lastTry) {
        await videos.failProcessing(db, id, reason);
        log.warn({ videoId: id, reason, tries: job.retryCount + 1 }, 'video failed after its last try');
      } else {
        // Waiting again, as the row says to whoever looks; pg-boss retries the job after its delay.
        await videos.requeueProcessing(db, id);
        log.warn({ videoId: id, reason, try: job.retryCount + 1 }, 'video processing will be retried');
      }
      throw err;
    }
  }

  const handler = async (jobs: JobWithMetadata<ProcessJob>[]) => {
    for (const job of jobs) {
      const run = processOne(job);
      running.add(run);
      try {
        await run;
      } finally {
        running.delete(run);
      }
    }
  };
  for (let slot = 0; slot < media.concurrency; slot++)
    await ctx.jobs.workWithMetadata<ProcessJob>(PROCESS_QUEUE, { batchSize: 1 }, handler);
  // A last try whose worker was killed (pg-boss expired it) or stopped before it began never
  // reached the handler's last-try branch: its video would wait forever. Its job lands here.
  await ctx.jobs.work<ProcessJob>(PROCESS_DEAD_LETTER, { batchSize: 20 }, async (jobs) => {
    for (const job of jobs) {
      const reason = 'processing did not finish: its worker stopped or was lost on the last try';
      if (await videos.failProcessing(db, job.data.video_id, reason))
        log.warn({ videoId: job.data.video_id, reason }, 'video failed');
    }
  });

  return async () => {
    // No new job, then the encodes in flight killed: their jobs fail and are retried elsewhere.
    await ctx.jobs.offWork(PROCESS_QUEUE);
    await ctx.jobs.offWork(PROCESS_DEAD_LETTER);
    stop.abort();
    await Promise.allSettled([...running]);
    await cleaning;
  };
}

/** The partial outputs left in every video's folder by encodes whose worker was killed. */
async function removeLeftovers(videosRoot: string, olderThanMs: number): Promise<number> {
  const dirs = await readdir(videosRoot, { withFileTypes: true }).catch(() => []);
  let removed = 0;
  for (const dir of dirs)
    if (dir.isDirectory()) removed += await removeStalePartials(path.join(videosRoot, dir.name), olderThanMs);
  return removed;
}
