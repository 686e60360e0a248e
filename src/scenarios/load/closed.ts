/**
 * The closed model: `users` virtual users, started evenly over `rampUpS`, each looping
 * send → wait for the answer → think → send again until the duration is over (siege, JMeter
 * thread groups, Locust). Latency counts from the actual send: a slow server slows the users
 * down, which is what a closed population does, and why this model hides stalls the open one shows.
 */
import { performance } from 'node:perf_hooks';
import type { LoadContext } from './context.js';

export interface ClosedWorkload {
  users: number;
  durationS: number;
  thinkMs: [number, number];
  rampUpS?: number;
  requestsPerUser?: number;
}

/** Sleeps that all end at once when the load does. */
class Sleeper {
  private readonly pending = new Set<() => void>();
  private woken = false;

  sleep(ms: number): Promise<void> {
    if (this.woken || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.pending.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.pending.add(wake);
    });
  }

  wakeAll(): void {
    this.woken = true;
    for (const wake of [...this.pending]) wake();
  }
}

/** Resolves when the duration is over (or the load was stopped); answers still due are drained by the caller. */
export function runClosed(ctx: LoadContext, workload: ClosedWorkload): Promise<void> {
  const { client, recorder } = ctx;
  const t0 = recorder.start;
  const endAt = t0 + workload.durationS * 1000;
  const rampMs = (workload.rampUpS ?? 0) * 1000;
  const [thinkMin, thinkMax] = workload.thinkMs;
  const sleeper = new Sleeper();
  let over = false;
  let seq = 0;

  const perUser = workload.requestsPerUser ?? Infinity;
  let finished = 0;
  // Set below to end the load: when every user has sent its share, the duration need not pass.
  let onAllDone: () => void = () => undefined;
  const user = async (u: number) => {
    await sleeper.sleep(t0 + (u * rampMs) / workload.users - performance.now());
    for (let n = 0; n < perUser && !over && performance.now() < endAt; n++) {
      const spec = ctx.request({ seq: seq++, user: u });
      const sentAt = performance.now();
      recorder.noteSend(sentAt - t0, sentAt);
      const outcome = await client.send(spec);
      recorder.complete(outcome, outcome.doneAt - sentAt);
      if (n + 1 < perUser) await sleeper.sleep(thinkMin + Math.random() * (thinkMax - thinkMin));
    }
    if (++finished === workload.users) onAllDone();
  };

  return new Promise<void>((resolve) => {
    const end = () => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      ctx.stop.removeEventListener('abort', end);
      sleeper.wakeAll();
      resolve();
    };
    const timer = setTimeout(end, Math.max(0, endAt - performance.now()));
    onAllDone = end;
    if (ctx.stop.aborted) return end();
    ctx.stop.addEventListener('abort', end, { once: true });
    for (let u = 0; u < workload.users; u++) user(u).catch(ctx.fail);
  });
}
