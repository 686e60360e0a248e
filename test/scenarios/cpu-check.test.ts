import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { checkCpu, describeCpuCheck } from '../../src/scenarios/cpu-check.js';

describe('cpu check', () => {
  it('times the task alone and once per core at once', async () => {
    const c = await checkCpu();
    expect(c.workers).toBe(os.availableParallelism());
    expect(c.aloneMs).toBeGreaterThan(0);
    expect(c.togetherMs).toBeGreaterThan(0);
    expect(describeCpuCheck(c)).toMatch(
      /^a fixed task took \d+ ms on one core alone, \d+ ms with \d+ at once/,
    );
  }, 30_000);

  it('says what share of its speed alone each core kept', () => {
    expect(describeCpuCheck({ aloneMs: 500, togetherMs: 1000, workers: 2 })).toBe(
      'a fixed task took 500 ms on one core alone, 1000 ms with 2 at once (each at 50 % of its speed alone)',
    );
  });
});
