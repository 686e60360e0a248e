import type { RunSummary } from '../model.js';

/**
 * Every status code the run saw, timeline and totals together: real HTTP codes ascending,
 * then `0` (no answer), then anything non-numeric.
 */
export function statusCodes(summary: RunSummary): string[] {
  const seen = new Set<string>(Object.keys(summary.result.byStatus));
  for (const second of summary.result.timeline)
    for (const code of Object.keys(second.byStatus)) seen.add(code);
  return sortStatuses(seen);
}

/** Status codes in report order: HTTP codes ascending, `0` after them, non-numeric keys last. */
export function sortStatuses(codes: Iterable<string>): string[] {
  return [...codes].sort(compareStatus);
}

function rank(code: string): number {
  if (!/^\d+$/.test(code)) return Number.POSITIVE_INFINITY;
  const n = Number(code);
  return n === 0 ? 1e9 : n;
}

function compareStatus(a: string, b: string): number {
  return rank(a) - rank(b) || a.localeCompare(b);
}

export type StatusKind = 'success' | 'expected refusal' | 'error';

/**
 * A 2xx is a success; a status the scenario names as a correct answer (409 sold out) is an
 * expected refusal; any other answer, or none at all (status 0), is an error.
 */
export function statusKind(code: string, summary: Pick<RunSummary, 'expectedRefusals'>): StatusKind {
  if (/^2\d\d$/.test(code)) return 'success';
  return summary.expectedRefusals?.includes(code) ? 'expected refusal' : 'error';
}
