import type { LoadResult } from './model.js';

export type StepBreak = 'generator' | 'latency' | 'errors';

/** Why one step of a stepped arrival rate did not hold, or undefined when it held. */
export function stepBroken(r: LoadResult, p99LimitMs: number, badLimit: number): StepBreak | undefined {
  if (r.generator.saturated) return 'generator';
  if (r.latency.p99 >= p99LimitMs) return 'latency';
  if (r.requests === 0 || (r.requests - r.good) / r.requests >= badLimit) return 'errors';
  return undefined;
}
