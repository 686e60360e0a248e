/**
 * Records a run second by second in constant memory: one latency histogram for the current
 * second (reset when the second closes) and one for the whole run, plus counters. A closed second
 * becomes a SecondSample in the timeline and is handed to `onSecond`.
 */
import type { Outcome } from './http.js';
import type { GeneratorWatch } from './generator-watch.js';
import { maxMs, newHistogram, percentileMs, recordMs, summarize } from './histogram.js';
import { encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import type { LatencySummary, SecondSample } from '../model.js';

export type OnSecond = (s: SecondSample, totals: { requests: number; good: number }) => void;

export interface RecorderOptions {
  /** `performance.now()` at the start of the load: second 0 begins here. */
  start: number;
  /** The nominal length of the load in seconds; the timeline never holds more (drain included). */
  seconds: number;
  watch: GeneratorWatch;
  onSecond?: OnSecond;
  /** Called when `onSecond` throws. */
  onError: (err: unknown) => void;
}

function add(counts: Record<string, number>, status: number): void {
  const key = String(status);
  counts[key] = (counts[key] ?? 0) + 1;
}

export class Recorder {
  readonly start: number;
  readonly timeline: SecondSample[] = [];
  /** Completions recorded (answers and failures alike). */
  requests = 0;
  good = 0;
  readonly byStatus: Record<string, number> = {};

  private readonly opts: RecorderOptions;
  private lastIndex: number;
  private frozen = false;
  private finished = false;
  /** The open second. */
  private current = 0;
  private sent = 0;
  private completed = 0;
  private goodInSecond = 0;
  private statusInSecond: Record<string, number> = {};
  private lagMaxMs = 0;
  private readonly second = newHistogram();
  private readonly overall = newHistogram();

  constructor(opts: RecorderOptions) {
    this.opts = opts;
    this.start = opts.start;
    this.lastIndex = Math.max(1, Math.ceil(opts.seconds)) - 1;
  }

  /** Closes every second that ended before `now` (the last second stays open until `finish`). */
  advance(now: number): void {
    this.closeUntil(Math.floor((now - this.start) / 1000), now);
  }

  private closeUntil(index: number, now: number): void {
    if (this.frozen) return;
    const target = Math.min(index, this.lastIndex);
    if (this.current >= target) return;
    // One CPU reading for all the seconds closed at once (their average, if the loop was blocked).
    const cpu = this.opts.watch.closeSeconds(now, target - this.current);
    while (this.current < target) {
      this.close(cpu);
      this.current++;
    }
  }

  /** The load phase is over: later completions (the drain) belong to the current, last second. */
  freeze(now: number): void {
    this.advance(now);
    this.frozen = true;
  }

  /**
   * A send: counted in the second of its intended time (open model; the actual time in the
   * closed one), given in ms since the start: the schedule's own offset, because recomputing it
   * from an absolute time could round a send due exactly on a boundary into the second before.
   * `lagMs` is how late it left (open model only).
   */
  noteSend(offsetMs: number, now: number, lagMs?: number): void {
    const index = Math.floor(offsetMs / 1000);
    // The schedule's word counts: a send due at 2000 ms opens second 2 even if the clock, read
    // a moment before, said 1999.9999.
    this.closeUntil(Math.max(index, Math.floor((now - this.start) / 1000)), now);
    const closed = index < this.current ? this.timeline[index] : undefined;
    // A send later than its second (a generator that fell behind) still counts in that second.
    if (closed) closed.sent++;
    else this.sent++;
    if (lagMs !== undefined) {
      if (lagMs > this.lagMaxMs) this.lagMaxMs = lagMs;
      this.opts.watch.noteLag(lagMs);
    }
  }

  /**
   * A completion at `outcome.doneAt`. Latency is recorded for answers and for timeouts (a lower
   * bound: the answer took at least that long); refused or reset connections, and sends refused
   * because too many were in flight, have no latency and count only as status 0.
   */
  complete(outcome: Outcome, latencyMs: number | undefined): void {
    // The timeline is final (the drain settles every request before it ends).
    if (this.finished) return;
    this.advance(outcome.doneAt);
    this.requests++;
    this.completed++;
    add(this.byStatus, outcome.status);
    add(this.statusInSecond, outcome.status);
    if (outcome.good) {
      this.good++;
      this.goodInSecond++;
    }
    if (latencyMs !== undefined && (outcome.status !== 0 || outcome.timedOut)) {
      recordMs(this.second, latencyMs);
      recordMs(this.overall, latencyMs);
    }
  }

  /** Closes the last second; after this the timeline is complete. */
  finish(now: number): void {
    if (this.finished) return;
    this.freeze(now);
    this.close(this.opts.watch.closeSeconds(now, 1));
    this.finished = true;
  }

  latency(): LatencySummary {
    return summarize(this.overall);
  }

  /** The overall histogram, compressed, so runs of several phases can merge percentiles exactly. */
  encodedHistogram(): string {
    return encodeIntoCompressedBase64(this.overall);
  }

  private close(cpuPercent: number): void {
    const sample: SecondSample = {
      t: this.current,
      sent: this.sent,
      completed: this.completed,
      good: this.goodInSecond,
      p50: percentileMs(this.second, 50),
      p95: percentileMs(this.second, 95),
      p99: percentileMs(this.second, 99),
      max: maxMs(this.second),
      byStatus: this.statusInSecond,
      lagMs: Math.round(this.lagMaxMs * 100) / 100,
      cpuPercent,
    };
    this.timeline.push(sample);
    this.second.reset();
    this.sent = 0;
    this.completed = 0;
    this.goodInSecond = 0;
    this.statusInSecond = {};
    this.lagMaxMs = 0;
    try {
      this.opts.onSecond?.(sample, { requests: this.requests, good: this.good });
    } catch (err) {
      this.opts.onError(err);
    }
  }
}
