/** Latency histograms: HdrHistogram in microseconds, reported in milliseconds with 2 decimals. */
import { build, type Histogram } from 'hdr-histogram-js';
import type { LatencySummary } from '../model.js';

/** One hour in microseconds: anything slower is recorded as one hour. */
const HIGHEST_US = 3_600_000_000;

/** Constant memory whatever the run's length: 3 significant digits from 1 µs to 1 h. */
export function newHistogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
  });
}

export function recordMs(h: Histogram, ms: number): void {
  h.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000))));
}

/** Microseconds to milliseconds, 2 decimals. */
export const ms2 = (us: number): number => Math.round(us / 10) / 100;

export function percentileMs(h: Histogram, p: number): number {
  return h.totalCount === 0 ? 0 : ms2(h.getValueAtPercentile(p));
}

export function maxMs(h: Histogram): number {
  return h.totalCount === 0 ? 0 : ms2(h.maxValue);
}

export function summarize(h: Histogram): LatencySummary {
  // An empty histogram's mean is NaN, which JSON would write as null.
  if (h.totalCount === 0) return { mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
  return {
    mean: ms2(h.mean),
    p50: ms2(h.getValueAtPercentile(50)),
    p90: ms2(h.getValueAtPercentile(90)),
    p95: ms2(h.getValueAtPercentile(95)),
    p99: ms2(h.getValueAtPercentile(99)),
    p999: ms2(h.getValueAtPercentile(99.9)),
    max: ms2(h.maxValue),
  };
}
