import type { ServiceContext } from '../../platform/service.js';

/** The job that turns an upload into its processed video; its data is `ProcessJob`. */
export const PROCESS_QUEUE = 'showcase-process';
/** Where a job goes after its last failed try (the worker marks the video failed before that). */
export const PROCESS_DEAD_LETTER = 'showcase-process-failed';

export interface ProcessJob {
  video_id: string;
}

/** A video's life: the worker moves it uploaded → processing → processed or failed; publish makes it public. */
export const VIDEO_STATUSES = ['uploaded', 'processing', 'processed', 'failed', 'public'] as const;
export type VideoStatus = (typeof VIDEO_STATUSES)[number];

/** The file as uploaded. */
export const originalKey = (videoId: string) => `videos/${videoId}/original.mp4`;
/** The worker's output; served once the row says processed (or public). */
export const processedKey = (videoId: string) => `videos/${videoId}/processed.mp4`;

/** The URLs the API hands out for those files (routes in files.routes.ts). */
export const originalUrl = (videoId: string) => `/videos/${videoId}/original.mp4`;
export const processedUrl = (videoId: string) => `/videos/${videoId}/processed.mp4`;

/** Made (or updated) by both the API, which sends the jobs, and the worker, which may run alone. */
export async function createProcessQueue(
  ctx: Pick<ServiceContext, 'jobs'>,
  retry: { retries: number; delaySeconds: number },
): Promise<void> {
  await ctx.jobs.createQueue(PROCESS_DEAD_LETTER);
  await ctx.jobs.createQueue(PROCESS_QUEUE, {
    retryLimit: retry.retries,
    retryDelay: retry.delaySeconds,
    retryBackoff: true,
    // One try's ceiling, for a worker that died without failing its job; the worker kills a stuck
    // FFmpeg itself well before (its time limit for the longest output, 30 s + cards, is ~3.5 min).
    expireInSeconds: 15 * 60,
    deadLetter: PROCESS_DEAD_LETTER,
  });
}
