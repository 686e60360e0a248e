import { decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { newHistogram, summarize } from './load/histogram.js';
import type { LoadResult } from './model.js';

/**
 * The percentiles of all phases together, from their histograms added up; percentiles
 * themselves cannot be added. Without histograms, the worst phase's figures stand in.
 */
function mergedLatency(results: LoadResult[]): { latency: LoadResult['latency']; histogram?: string } {
  if (results.some((r) => !r.histogram)) {
    return { latency: results.reduce((a, b) => (b.latency.p99 > a.latency.p99 ? b : a)).latency };
  }
  const total = newHistogram();
  for (const r of results) total.add(decodeFromCompressedBase64(r.histogram!));
  return { latency: summarize(total), histogram: encodeIntoCompressedBase64(total) };
}

/** Several load phases shown as one run: timelines back to back, counts and histograms added. */
export function concatResults(results: LoadResult[]): LoadResult {
  if (results.length === 0) throw new Error('no load phase ran');
  const byStatus: Record<string, number> = {};
  const timeline = [];
  let offset = 0;
  for (const r of results) {
    for (const [status, n] of Object.entries(r.byStatus)) byStatus[status] = (byStatus[status] ?? 0) + n;
    for (const s of r.timeline) timeline.push({ ...s, t: s.t + offset });
    offset += r.timeline.length;
  }
  // The first sample of each status, from whichever phase saw it first.
  const samples = Object.assign({}, ...[...results].reverse().map((r) => r.samples ?? {})) as Record<
    string,
    string
  >;
  return {
    startedAt: results[0]!.startedAt,
    durationS: results.reduce((sum, r) => sum + r.durationS, 0),
    requests: results.reduce((sum, r) => sum + r.requests, 0),
    good: results.reduce((sum, r) => sum + r.good, 0),
    ...mergedLatency(results),
    byStatus,
    ...(Object.keys(samples).length ? { samples } : {}),
    timeline,
    generator: {
      maxLagMs: Math.max(...results.map((r) => r.generator.maxLagMs)),
      p99LagMs: Math.max(...results.map((r) => r.generator.p99LagMs)),
      cpuPercent: Math.max(...results.map((r) => r.generator.cpuPercent)),
      saturated: results.some((r) => r.generator.saturated),
      reason: results.find((r) => r.generator.saturated)?.generator.reason,
    },
  };
}
