import type { RunSummary, SecondSample } from '../model.js';
import { csvCell } from './escape.js';
import { statusCodes } from './statuses.js';

const FIXED: [string, (s: SecondSample) => number][] = [
  ['t', (s) => s.t],
  ['sent', (s) => s.sent],
  ['completed', (s) => s.completed],
  ['good', (s) => s.good],
  ['p50_ms', (s) => s.p50],
  ['p95_ms', (s) => s.p95],
  ['p99_ms', (s) => s.p99],
  ['max_ms', (s) => s.max],
  ['lag_ms', (s) => s.lagMs],
  ['cpu_percent', (s) => s.cpuPercent],
];

/** Plain decimal, at most three places; empty when the value is missing or not finite. */
function cell(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '';
  return String(Math.round(n * 1000) / 1000);
}

/**
 * `timeline.csv`: a header, then one row per second of the run. After the fixed columns comes one
 * `status_<code>` column per status code seen anywhere in the run (0 when absent in that second).
 */
export function timelineCsv(summary: RunSummary): string {
  const codes = statusCodes(summary);
  const header = [...FIXED.map(([name]) => name), ...codes.map((c) => `status_${c}`)];
  const rows = summary.result.timeline.map((s) =>
    [...FIXED.map(([, get]) => cell(get(s))), ...codes.map((c) => cell(s.byStatus[c] ?? 0))].join(','),
  );
  return [header.map(csvCell).join(','), ...rows].join('\n') + '\n';
}
