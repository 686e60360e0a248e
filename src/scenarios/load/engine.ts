/**
 * The load engine of the scenario harness: runs an open or closed workload against a base URL
 * and returns what was measured (model.ts's LoadResult). No output of its own: progress goes
 * through `onSecond`.
 */
import { performance } from 'node:perf_hooks';
import type { LoadResult, RequestFactory, SecondSample, Workload } from '../model.js';
import { runClosed } from './closed.js';
import type { LoadContext } from './context.js';
import { GeneratorWatch } from './generator-watch.js';
import { HttpClient, type IsGood } from './http.js';
import { runOpen } from './open.js';
import { Recorder } from './recorder.js';
import { openSchedule, validateWorkload } from './schedule.js';

export interface LoadOptions {
  /** e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  workload: Workload;
  request: RequestFactory;
  /** Default: 2xx. Given, every body is decoded as text for it. */
  isGood?: IsGood;
  /** Per-request deadline from its send (default 10 000); a timeout counts as status 0, not good. */
  timeoutMs?: number;
  /** Open model: most sockets (default 1024). Closed model: one per user, this is ignored. */
  connections?: number;
  /** Called once per elapsed second with the second just finished, for live progress. */
  onSecond?: (s: SecondSample, totals: { requests: number; good: number }) => void;
  /** Stops the load early; answers in flight are still waited for (up to `timeoutMs`). */
  signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_CONNECTIONS = 1024;

/** Nominal length of the load in seconds. */
function nominalSeconds(w: Workload): number {
  return w.model === 'open' ? openSchedule(w.stages).durationMs / 1000 : w.durationS;
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const { workload } = opts;
  validateWorkload(workload);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new RangeError('timeoutMs must be > 0');

  const stop = new AbortController();
  let fatal: { err: unknown } | undefined;
  const fail = (err: unknown) => {
    fatal ??= { err };
    stop.abort();
  };
  const onCallerAbort = () => stop.abort();
  if (opts.signal?.aborted) stop.abort();
  opts.signal?.addEventListener('abort', onCallerAbort, { once: true });

  const client = new HttpClient({
    baseUrl: opts.baseUrl,
    connections: workload.model === 'open' ? (opts.connections ?? DEFAULT_CONNECTIONS) : workload.users,
    timeoutMs,
    ...(opts.isGood ? { isGood: opts.isGood } : {}),
  });
  const startedAt = new Date().toISOString();
  const watch = new GeneratorWatch();
  const recorder = new Recorder({
    start: performance.now(),
    seconds: nominalSeconds(workload),
    watch,
    ...(opts.onSecond ? { onSecond: opts.onSecond } : {}),
    onError: fail,
  });
  const ctx: LoadContext = { client, recorder, request: opts.request, stop: stop.signal, fail };

  // Seconds close on their own even when nothing is sent or answered (a stalled server).
  let secondTimer: NodeJS.Timeout | undefined;
  const closeSeconds = () => {
    const now = performance.now();
    recorder.advance(now);
    const elapsed = now - recorder.start;
    secondTimer = setTimeout(closeSeconds, Math.ceil(1000 - (elapsed % 1000)) + 1);
  };
  closeSeconds();

  let end = 0;
  let loadEnd: number | undefined;
  let generator: LoadResult['generator'] | undefined;
  try {
    if (workload.model === 'open') await runOpen(ctx, workload);
    else await runClosed(ctx, workload);
    loadEnd = performance.now();
    recorder.freeze(loadEnd);
    // Every request carries its own deadline, so this normally ends well within timeoutMs.
    await client.drain(timeoutMs + 1_000);
  } finally {
    clearTimeout(secondTimer);
    opts.signal?.removeEventListener('abort', onCallerAbort);
    end = performance.now();
    recorder.finish(end);
    generator = watch.finish(end, workload.model);
    await client.close();
  }
  if (fatal) throw fatal.err;

  return {
    startedAt,
    // The load phase as it happened (cut short by an abort, or stretched by a generator that fell
    // behind); not the drain, so that requests / durationS is the rate the load ran at.
    durationS: Math.round((loadEnd ?? end) - recorder.start) / 1000,
    requests: recorder.requests,
    good: recorder.good,
    latency: recorder.latency(),
    histogram: recorder.encodedHistogram(),
    byStatus: recorder.byStatus,
    ...(Object.keys(client.samples).length ? { samples: client.samples } : {}),
    timeline: recorder.timeline,
    generator,
  };
}
