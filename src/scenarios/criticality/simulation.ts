/**
 * The original Secapp's producer and consumer apps as one program: producers POST the current
 * level, consumers poll GET /secapp/update, each at its own jittered pace, over one or several
 * instances. Every call is recorded so that `judgeDeliveries` can say afterwards whether every
 * consumer was given every state it should have been, once. `crucible simulate criticality` and
 * the criticality scenarios both run it.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { GeneratorWatch } from '../load/generator-watch.js';
import { Recorder } from '../load/recorder.js';
import type { LoadResult } from '../model.js';
import { judgeDeliveries, type DeliveryVerdict, type PollRecord, type PostRecord } from './verdict.js';

export interface SimulationOptions {
  /** One base URL per instance; each app spreads its calls over them in turn. */
  urls: string[];
  producers: number;
  consumers: number;
  /**
   * Pollers per consumer app, polling at the same time under the same app name (one per
   * instance, say): the hard case for "once". Default 1, as the original's one process per app.
   */
  pollersPerConsumer?: number;
  durationMs: number;
  /** Mean pause between one poller's polls; each pause is drawn from 0.5–1.5 × this. */
  pollIntervalMs: number;
  /** Mean pause between one producer's posts, jittered the same way. */
  postIntervalMs: number;
  /** The shared token (SECAPP_API_TOKEN) every simulated app sends. */
  token: string;
  /** Prefix of the app names, new each run so every consumer starts never having been given anything. */
  runId: string;
  /** Per-call deadline (default 10 s): a call not answered by then counts as an error. */
  timeoutMs?: number;
  /** Called once a second with what the second saw. */
  onSecond?: (s: SimSecond) => void;
}

export interface SimSecond {
  t: number;
  posts: number;
  polls: number;
  delivered: number;
  errors: number;
  /** The latest state a POST answered so far (processed_id and level). */
  latest?: { id: number; status: number };
}

export interface SimulationResult {
  verdict: DeliveryVerdict;
  /** The calls as the harness's reports chart them. */
  load: LoadResult;
  posts: PostRecord[];
  polls: PollRecord[];
  errors: number;
  /** The first answer of each failing status (0: no answer), for the reader. */
  errorSamples: Record<string, string>;
}

const jitter = (ms: number) => ms * (0.5 + Math.random());

interface Answer {
  status: number;
  body: unknown;
}

export async function simulate(opts: SimulationOptions): Promise<SimulationResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const pollers = opts.pollersPerConsumer ?? 1;
  const connections = Math.max(
    8,
    Math.ceil((opts.consumers * pollers + opts.producers) / opts.urls.length) + 4,
  );
  const pools = opts.urls.map((url) => new Pool(url, { connections }));
  const watch = new GeneratorWatch();
  const start = performance.now();
  const end = start + opts.durationMs;
  const recorder = new Recorder({
    start,
    seconds: opts.durationMs / 1000,
    watch,
    onError: () => undefined,
  });
  const posts: PostRecord[] = [];
  const polls: PollRecord[] = [];
  const errorSamples: Record<string, string> = {};
  let errors = 0;
  let second: SimSecond = { t: 0, posts: 0, polls: 0, delivered: 0, errors: 0 };
  let latest: PostRecord | undefined;
  let latestStatus = 0;

  const call = async (
    instance: number,
    method: 'GET' | 'POST',
    app: string,
    body?: unknown,
  ): Promise<Answer & { sentAt: number; answeredAt: number }> => {
    const sentAt = performance.now();
    recorder.noteSend(sentAt - start, sentAt);
    let answer: Answer;
    try {
      const res = await pools[instance % pools.length]!.request({
        method,
        path: '/secapp/update',
        headers: {
          'App-name': app,
          token: opts.token,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.body.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: kept as text for the error sample
      }
      answer = { status: res.statusCode, body: parsed };
      if (res.statusCode !== 200) errorSamples[res.statusCode] ??= text.slice(0, 300);
    } catch (err) {
      answer = { status: 0, body: undefined };
      errorSamples['0'] ??= err instanceof Error ? err.message : String(err);
    }
    const answeredAt = performance.now();
    const good = answer.status === 200;
    if (!good) {
      errors++;
      second.errors++;
    }
    recorder.complete(
      { status: answer.status, good, timedOut: false, doneAt: answeredAt },
      answeredAt - sentAt,
    );
    return { ...answer, sentAt, answeredAt };
  };

  const pause = (ms: number) =>
    new Promise<void>((r) => setTimeout(r, Math.max(0, Math.min(ms, end - performance.now()))));

  const producer = async (i: number) => {
    await pause(Math.random() * opts.postIntervalMs);
    for (let k = 0; performance.now() < end; k++) {
      const level = 1 + Math.floor(Math.random() * 5);
      const changeAt = new Date();
      const a = await call(i + k, 'POST', `${opts.runId}-producer-${i + 1}`, {
        current_status: level,
        Change_at: changeAt.toISOString(),
      });
      const id = (a.body as { processed_id?: unknown } | undefined)?.processed_id;
      const stored = a.status === 200 && typeof id === 'number';
      const record: PostRecord = {
        sentAt: a.sentAt,
        answeredAt: a.answeredAt,
        outcome: stored ? 'stored' : a.status >= 400 && a.status < 500 ? 'refused' : 'unknown',
        changeAtMs: changeAt.getTime(),
        ...(stored ? { processedId: id } : {}),
      };
      posts.push(record);
      second.posts++;
      if (stored && (!latest || record.changeAtMs >= latest.changeAtMs)) {
        latest = record;
        latestStatus = level;
      }
      await pause(jitter(opts.postIntervalMs));
    }
  };

  const poller = async (c: number, p: number) => {
    await pause(Math.random() * opts.pollIntervalMs);
    for (let k = 0; performance.now() < end; k++) {
      const a = await call(c + p + k, 'GET', `${opts.runId}-consumer-${c + 1}`);
      const id = (a.body as { status_change_id?: unknown } | undefined)?.status_change_id;
      const delivered = a.status === 200 && typeof id === 'number' ? id : undefined;
      polls.push({
        consumer: c,
        sentAt: a.sentAt,
        answeredAt: a.answeredAt,
        ok: a.status === 200,
        ...(delivered === undefined ? {} : { delivered }),
      });
      second.polls++;
      if (delivered !== undefined) second.delivered++;
      await pause(jitter(opts.pollIntervalMs));
    }
  };

  const ticker = setInterval(() => {
    recorder.advance(performance.now());
    const done = second;
    second = { t: done.t + 1, posts: 0, polls: 0, delivered: 0, errors: 0 };
    opts.onSecond?.({
      ...done,
      ...(latest?.processedId !== undefined
        ? { latest: { id: latest.processedId, status: latestStatus } }
        : {}),
    });
  }, 1000);
  const startedAt = new Date().toISOString();
  let loadEnd = start;
  try {
    await Promise.all([
      ...Array.from({ length: opts.producers }, (_, i) => producer(i)),
      ...Array.from({ length: opts.consumers * pollers }, (_, n) =>
        poller(Math.floor(n / pollers), n % pollers),
      ),
    ]);
    loadEnd = performance.now();
  } finally {
    clearInterval(ticker);
    await Promise.all(pools.map((pool) => pool.close()));
  }
  const finished = performance.now();
  recorder.finish(finished);
  const load: LoadResult = {
    startedAt,
    durationS: Math.round(loadEnd - start) / 1000,
    requests: recorder.requests,
    good: recorder.good,
    latency: recorder.latency(),
    histogram: recorder.encodedHistogram(),
    byStatus: recorder.byStatus,
    ...(Object.keys(errorSamples).length ? { samples: errorSamples } : {}),
    timeline: recorder.timeline,
    generator: watch.finish(finished, 'closed'),
  };
  return { verdict: judgeDeliveries(posts, polls), load, posts, polls, errors, errorSamples };
}

/** The line a second the simulator prints. */
export function describeSecond(s: SimSecond): string {
  const latest = s.latest ? `  latest #${s.latest.id} (level ${s.latest.status})` : '';
  return (
    `${String(s.t + 1).padStart(4)} s  posts ${String(s.posts).padStart(3)}  polls ${String(s.polls).padStart(5)}` +
    `  delivered ${String(s.delivered).padStart(4)}  errors ${s.errors}${latest}`
  );
}

/** The closing lines: the counts, then the verdict line (`verdict: PASS` or `verdict: FAIL`). */
export function describeResult(r: SimulationResult, consumers: number): string[] {
  const v = r.verdict;
  const errors = Object.entries(r.errorSamples).map(
    ([status, sample]) =>
      `  first ${status === '0' ? 'failure without an answer' : `${status} answer`}: ${sample}`,
  );
  return [
    `states posted ${v.statesStored} (of ${r.posts.length} posts), polls ${v.polls}, deliveries ${v.deliveries}, errors ${r.errors}`,
    ...errors,
    `checked ${v.pollsChecked} polls made while the latest state was certain: ${v.pairsChecked} (consumer, state) pairs to deliver`,
    `verdict: ${v.pass ? 'PASS' : 'FAIL'}: ${consumers} consumers, duplicates ${v.duplicates}, missed ${v.missed}, wrong state ${v.wrongState}`,
  ];
}
