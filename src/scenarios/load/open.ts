/**
 * The open model: sends leave on the clock at the rate of the current stage, whatever the server
 * does, and each latency counts from the send's intended time, so a server that stalls is charged
 * for every request that should have left meanwhile (no coordinated omission, as in wrk2 / k6's
 * arrival-rate executors).
 *
 * The scheduler is a timer loop: each tick sends every request whose intended time has passed,
 * then sleeps until the next one is due. Intended times come from `openSchedule` (pure
 * arithmetic on the send's index), so the schedule never drifts, and a tick that comes late
 * catches up by sending the backlog at once; how late each send left is the schedule lag.
 */
import { performance } from 'node:perf_hooks';
import type { OpenStage } from '../model.js';
import type { LoadContext } from './context.js';
import { openSchedule } from './schedule.js';

export const DEFAULT_MAX_IN_FLIGHT = 10_000;

/**
 * A tick hands control back to the event loop after this many sends, so answers keep being read
 * while a backlog is sent; whatever is left goes out on the next turn of the loop (and shows as lag).
 */
const MAX_SENDS_PER_TICK = 1_000;

export interface OpenWorkload {
  stages: OpenStage[];
  maxInFlight?: number;
}

/** Resolves when the schedule's nominal end has passed (or the load was stopped). */
export function runOpen(ctx: LoadContext, workload: OpenWorkload): Promise<void> {
  const schedule = openSchedule(workload.stages);
  const maxInFlight = workload.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const { client, recorder } = ctx;
  const t0 = recorder.start;
  const endAt = t0 + schedule.durationMs;
  let next = 0;
  let seq = 0;

  const send = (offset: number, intended: number, now: number) => {
    recorder.noteSend(offset, now, now - intended);
    if (client.inFlight >= maxInFlight) {
      // Overload is made visible, not skipped: a failure with no answer, at its intended time.
      recorder.complete({ status: 0, good: false, timedOut: false, doneAt: now }, undefined);
      return;
    }
    const spec = ctx.request({ seq: seq++ });
    client
      .send(spec)
      .then((outcome) => recorder.complete(outcome, outcome.doneAt - intended))
      .catch(ctx.fail);
  };

  return new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    const done = () => {
      clearTimeout(timer);
      clearImmediate(immediate);
      ctx.stop.removeEventListener('abort', done);
      resolve();
    };
    const sleepUntil = (at: number) => {
      timer = setTimeout(tick, Math.max(1, Math.round(at - performance.now())));
    };
    const tick = () => {
      timer = undefined;
      immediate = undefined;
      if (ctx.stop.aborted) return;
      let now = performance.now();
      recorder.advance(now);
      try {
        for (let budget = MAX_SENDS_PER_TICK; next < schedule.total; budget--) {
          const offset = schedule.offsetMs(next);
          const intended = t0 + offset;
          if (intended > now) {
            now = performance.now();
            if (intended > now) {
              sleepUntil(intended);
              return;
            }
          }
          if (budget === 0) {
            immediate = setImmediate(tick);
            return;
          }
          next++;
          send(offset, intended, now);
          now = performance.now();
        }
      } catch (err) {
        ctx.fail(err);
        return;
      }
      // Every send has left; the load lasts until the schedule's end (an idle last stage included).
      if (now >= endAt) done();
      else timer = setTimeout(done, Math.max(1, Math.ceil(endAt - now)));
    };
    if (ctx.stop.aborted) return resolve();
    ctx.stop.addEventListener('abort', done, { once: true });
    tick();
  });
}
