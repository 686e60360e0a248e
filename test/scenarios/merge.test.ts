import { encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { newHistogram, recordMs, summarize } from '../../src/scenarios/load/histogram.js';
import { concatResults } from '../../src/scenarios/merge.js';
import type { LoadResult } from '../../src/scenarios/model.js';

function phase(latenciesMs: number[], withHistogram = true): LoadResult {
  const h = newHistogram();
  for (const ms of latenciesMs) recordMs(h, ms);
  return {
    startedAt: '2026-11-23T00:00:00.000Z',
    durationS: 1,
    requests: latenciesMs.length,
    good: latenciesMs.length,
    latency: summarize(h),
    histogram: withHistogram ? encodeIntoCompressedBase64(h) : undefined,
    byStatus: { '200': latenciesMs.length },
    timeline: [
      {
        t: 0,
        sent: latenciesMs.length,
        completed: latenciesMs.length,
        good: latenciesMs.length,
        p50: 0,
        p95: 0,
        p99: 0,
        max: 0,
        byStatus: { '200': latenciesMs.length },
        lagMs: 1,
        cpuPercent: 10,
      },
    ],
    generator: { maxLagMs: 1, p99LagMs: 1, cpuPercent: 10, saturated: false },
  };
}

describe('concatResults', () => {
  it('merges the phases histograms, so percentiles are those of all requests together', () => {
    const fast = phase(Array.from({ length: 990 }, () => 2));
    const slow = phase(Array.from({ length: 10 }, () => 900));
    const merged = concatResults([fast, slow]);
    expect(merged.requests).toBe(1000);
    expect(merged.timeline.map((s) => s.t)).toEqual([0, 1]);
    // 1 % of all requests were slow: p50 is fast, p99.9 and max are slow, p99 sits at the edge.
    expect(merged.latency.p50).toBeCloseTo(2, 0);
    expect(merged.latency.p999).toBeGreaterThan(890);
    expect(merged.latency.max).toBeGreaterThan(890);
    // Not the worst phase's figures, which would say p50 = 900 ms.
    expect(merged.latency.p50).toBeLessThan(slow.latency.p50);
  });

  it('falls back to the worst phase when a phase has no histogram', () => {
    const merged = concatResults([phase([1, 2, 3], false), phase([500, 600], true)]);
    expect(merged.latency.p50).toBeGreaterThan(400);
  });
});
