import { performance } from 'node:perf_hooks';
import { build, type Histogram } from 'hdr-histogram-js';
import { Pool } from 'undici';

export interface Counts {
  /** 200 (sold) or 202 (queued). */
  ok: number;
  /** 409: out of stock, or a conflict the mode gave up on. */
  conflict: number;
  /** Any other status below 500 that is not a success. */
  other4xx: number;
  server5xx: number;
  /** No HTTP answer at all: refused, reset, timed out. */
  errors: number;
}

export interface Latency {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface StepResult {
  clients: number;
  /** Counted over the measured window only (answers that arrived in it). */
  window: Counts;
  /** Every request of the step, warm-up and the tail in flight included: what the ledger saw. */
  all: Counts;
  ordersPerS: number;
  /** Milliseconds, of every answer in the window whatever its status. */
  latencyMs: Latency;
  /** Wall time from the first request to the last answer, in seconds. */
  elapsedS: number;
  /** A few of the failures seen, to tell what went wrong without a log. */
  failures: string[];
}

export interface LoadOptions {
  url: string;
  clients: number;
  warmupMs: number;
  durationMs: number;
  body: string;
}

const MAX_FAILURE_SAMPLES = 5;
/** After a network error, a pause so a dead server does not turn the loop into a busy spin. */
const ERROR_PAUSE_MS = 10;
const REQUEST_TIMEOUT_MS = 30_000;

const emptyCounts = (): Counts => ({ ok: 0, conflict: 0, other4xx: 0, server5xx: 0, errors: 0 });

function classify(status: number): keyof Counts {
  if (status === 200 || status === 202) return 'ok';
  if (status === 409) return 'conflict';
  if (status >= 500) return 'server5xx';
  return 'other4xx';
}

interface Run {
  pool: Pool;
  body: string;
  measureFrom: number;
  endAt: number;
  window: Counts;
  all: Counts;
  histogram: Histogram;
  failures: string[];
}

function noteFailure(run: Run, text: string): void {
  if (run.failures.length < MAX_FAILURE_SAMPLES && !run.failures.includes(text)) run.failures.push(text);
}

/** One request; the status class it fell in. Only failures' bodies are read, to keep the client cheap. */
async function purchase(run: Run): Promise<keyof Counts> {
  try {
    const res = await run.pool.request({
      method: 'POST',
      path: '/purchase-orders',
      headers: { 'content-type': 'application/json' },
      body: run.body,
    });
    const outcome = classify(res.statusCode);
    if (outcome === 'ok' || outcome === 'conflict') await res.body.dump();
    else noteFailure(run, `${res.statusCode} ${(await res.body.text()).slice(0, 300)}`);
    return outcome;
  } catch (err) {
    noteFailure(run, `network error: ${(err as Error).message}`);
    await new Promise((r) => setTimeout(r, ERROR_PAUSE_MS));
    return 'errors';
  }
}

/** A closed-loop client: the next order leaves only when the previous one was answered. */
async function client(run: Run): Promise<void> {
  while (performance.now() < run.endAt) {
    const started = performance.now();
    const outcome = await purchase(run);
    const done = performance.now();
    run.all[outcome]++;
    if (done < run.measureFrom || done >= run.endAt) continue;
    run.window[outcome]++;
    if (outcome !== 'errors') run.histogram.recordValue(Math.max(1, Math.round((done - started) * 1000)));
  }
}

const ms = (micros: number) => micros / 1000;

function latencyOf(h: Histogram): Latency {
  // An empty histogram's mean is NaN, which JSON would write as null.
  if (h.totalCount === 0) return { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}

/** Runs `clients` closed loops for warm-up plus duration; only the duration is measured. */
export async function runLoad(opts: LoadOptions): Promise<StepResult> {
  const pool = new Pool(opts.url, {
    connections: opts.clients,
    pipelining: 1,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  const start = performance.now();
  const run: Run = {
    pool,
    body: opts.body,
    measureFrom: start + opts.warmupMs,
    endAt: start + opts.warmupMs + opts.durationMs,
    window: emptyCounts(),
    all: emptyCounts(),
    // Microseconds, up to a minute: three significant digits is what HdrHistogram is built for.
    histogram: build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 }),
    failures: [],
  };
  try {
    await Promise.all(Array.from({ length: opts.clients }, () => client(run)));
  } finally {
    await pool.close();
  }
  return {
    clients: opts.clients,
    window: run.window,
    all: run.all,
    ordersPerS: run.window.ok / (opts.durationMs / 1000),
    latencyMs: latencyOf(run.histogram),
    elapsedS: (performance.now() - start) / 1000,
    failures: run.failures,
  };
}
