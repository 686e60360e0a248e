import type { LoadResult } from './model.js';

/**
 * Several load phases shown as one run: timelines back to back, counts added. Latency
 * percentiles cannot be added, so the summary keeps the worst phase's, which is what a
 * threshold on the whole run would be judged against.
 */
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
  const worst = results.reduce((a, b) => (b.latency.p99 > a.latency.p99 ? b : a));
  return {
    startedAt: results[0]!.startedAt,
    durationS: results.reduce((sum, r) => sum + r.durationS, 0),
    requests: results.reduce((sum, r) => sum + r.requests, 0),
    good: results.reduce((sum, r) => sum + r.good, 0),
    latency: worst.latency,
    byStatus,
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
