import type { LoadResult, OpenStage, RequestFactory } from './model.js';
import type { IsGood } from './load/http.js';
import type { ScenarioContext } from './scenario.js';
import { stepBroken, type StepBreak } from './steps.js';

// Open-model steps and the GET /health yardstick, shared by the scenarios that find a breaking point.

/** As bench:shop measures it: enough closed-loop clients to keep both cores busy. */
export const YARDSTICK_CLIENTS = 64;

export type StopReason = StepBreak | 'end of steps';

export interface Stepped {
  phases: LoadResult[];
  stages: OpenStage[];
  held: number;
  /** The step that held highest, or the first one when none held. */
  best: LoadResult;
  stoppedBy: StopReason;
  measures: Record<string, number>;
}

export const ms = (x: number) => Math.round(x * 100) / 100;

/**
 * Closed loops on each route, not measured: the first second of a cold route (compiling, pools
 * filling) would otherwise decide its first step, or lower the yardstick.
 */
export async function warmUp(
  ctx: ScenarioContext,
  seconds: number,
  routes: { request: RequestFactory; isGood?: IsGood }[],
): Promise<void> {
  for (const { request, isGood } of routes) {
    await ctx.load(
      {
        workload: { model: 'closed', users: YARDSTICK_CLIENTS, durationS: seconds, thinkMs: [0, 0] },
        request,
        ...(isGood ? { isGood } : {}),
      },
      'warm-up',
    );
  }
}

/** Closed loops on GET /health for `seconds` + 1 s; the rate of the first `seconds` whole seconds. */
export async function yardstick(ctx: ScenarioContext, seconds: number) {
  const r = await ctx.load(
    {
      workload: { model: 'closed', users: YARDSTICK_CLIENTS, durationS: seconds + 1, thinkMs: [0, 0] },
      request: () => ({ method: 'GET', path: '/health' }),
    },
    'GET /health',
  );
  // The last second also holds the answers in flight when the load ended, which no second earned.
  const good = r.timeline.filter((s) => s.t < seconds).reduce((n, s) => n + s.good, 0);
  return { rps: Math.round(good / seconds), result: r };
}

/**
 * Open-model steps at rising rates until one breaks its p99 limit or its error limit.
 * `connections` bounds the generator's sockets (default: the engine's 1,024, opened on demand).
 */
export async function stepUp(
  ctx: ScenarioContext,
  o: {
    name: string;
    rates: number[];
    durationS: number;
    p99LimitMs: number;
    badLimit: number;
    connections?: number;
  },
  request: RequestFactory,
  isGood: IsGood,
): Promise<Stepped> {
  const phases: LoadResult[] = [];
  const stages: OpenStage[] = [];
  const measures: Record<string, number> = {};
  let held = 0;
  let best: LoadResult | undefined;
  let stoppedBy: StopReason = 'end of steps';
  for (const rate of o.rates) {
    const r = await ctx.load(
      {
        workload: { model: 'open', stages: [{ rate, durationS: o.durationS }] },
        request,
        isGood,
        ...(o.connections ? { connections: o.connections } : {}),
      },
      `${o.name} ${rate}/s`,
    );
    phases.push(r);
    stages.push({ rate, durationS: o.durationS });
    measures[`${o.name}_p99_ms_at_${rate}`] = ms(r.latency.p99);
    best ??= r;
    const broken = stepBroken(r, o.p99LimitMs, o.badLimit);
    if (broken) {
      stoppedBy = broken;
      ctx.log(`${o.name} ${rate}/s broke the threshold (${broken}); highest rate held: ${held}/s`);
      break;
    }
    held = rate;
    best = r;
  }
  return { phases, stages, held, best: best!, stoppedBy, measures };
}

/** Rates from fractions of the yardstick, rounded to tens, at least 10/s, without repeats. */
export const rates = (fractions: number[], yardstickRps: number) => [
  ...new Set(fractions.map((f) => Math.max(10, Math.round((f * yardstickRps) / 10) * 10))),
];
