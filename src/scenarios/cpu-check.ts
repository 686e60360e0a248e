import os from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * How fast this machine's cores were at the start of a run. Shared machines differ from day to
 * day and from hour to hour: the same commit's figures have moved by a factor of 2.7 between
 * sessions, and a fixed loop ran at half its speed an hour after a first timing. A fixed task is timed
 * on one core alone and on every core at once, so two reports can be compared by more than their
 * CPU model.
 */
export interface CpuCheck {
  /** Milliseconds the fixed task took on one core with nothing else of ours running. */
  aloneMs: number;
  /** Milliseconds it took, on average, with one copy per core running at once. */
  togetherMs: number;
  workers: number;
}

// Arithmetic only: no allocation, so no collector threads borrow another core while it runs.
const TASK = `
const { parentPort } = require('node:worker_threads');
const start = performance.now();
let x = 0;
for (let i = 0; i < 100000000; i++) x = (x + i * 7) % 1000003;
parentPort.postMessage({ ms: performance.now() - start, x });
`;

function timeOnce(): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(TASK, { eval: true });
    worker.once('message', (m: { ms: number }) => {
      resolve(m.ms);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

export async function checkCpu(): Promise<CpuCheck> {
  const workers = os.availableParallelism();
  await timeOnce(); // warms up the file cache and the CPU's clock
  const aloneMs = await timeOnce();
  const together = await Promise.all(Array.from({ length: workers }, () => timeOnce()));
  const togetherMs = together.reduce((a, b) => a + b, 0) / workers;
  return { aloneMs: Math.round(aloneMs), togetherMs: Math.round(togetherMs), workers };
}

export function describeCpuCheck(c: CpuCheck): string {
  const share = Math.round((100 * c.aloneMs) / c.togetherMs);
  return `a fixed task took ${c.aloneMs} ms on one core alone, ${c.togetherMs} ms with ${c.workers} at once (each at ${share} % of its speed alone)`;
}
