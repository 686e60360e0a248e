/**
 * The arrival schedule of an open workload: when the k-th request is meant to leave, whatever
 * the server does. Pure arithmetic, so the scheduler can never drift: the intended time of a
 * send is computed from its index, not accumulated from the previous one.
 */
import type { OpenStage, Workload } from '../model.js';

export interface ArrivalSchedule {
  /** How many sends the whole schedule holds. */
  readonly total: number;
  /** The nominal length of the load, in milliseconds (idle stages included). */
  readonly durationMs: number;
  /** Milliseconds from the start of the load at which send `k` (0-based) is intended. */
  offsetMs(k: number): number;
}

interface Segment {
  startS: number;
  durationS: number;
  /** Rate at the start of the stage (requests/s). */
  r0: number;
  /** Half the rate's slope: the count sent by `t` s into the stage is `r0·t + a·t²`. */
  a: number;
  /** Sends scheduled before this stage (fractional: stages share one continuous count). */
  before: number;
  /** Sends this stage holds (fractional). */
  count: number;
}

/** Floating-point slack so that e.g. 200 req/s × 5 s schedules exactly 1000 sends, not 1001. */
const EPSILON = 1e-9;

function checkNumber(value: number, what: string): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${what} must be a finite number ≥ 0`);
}

/** Throws a RangeError naming the first thing in the workload that cannot be run. */
export function validateWorkload(w: Workload): void {
  if (w.model === 'open') {
    if (!Array.isArray(w.stages)) throw new RangeError('open workload: stages must be an array');
    w.stages.forEach((s, i) => {
      checkNumber(s.durationS, `stage ${i}: durationS`);
      checkNumber(s.rate, `stage ${i}: rate`);
      if (s.rampTo !== undefined) checkNumber(s.rampTo, `stage ${i}: rampTo`);
    });
    if (w.maxInFlight !== undefined && !(Number.isInteger(w.maxInFlight) && w.maxInFlight >= 1)) {
      throw new RangeError('open workload: maxInFlight must be an integer ≥ 1');
    }
    return;
  }
  if (!(Number.isInteger(w.users) && w.users >= 1))
    throw new RangeError('closed workload: users must be an integer ≥ 1');
  checkNumber(w.durationS, 'closed workload: durationS');
  if (w.rampUpS !== undefined) checkNumber(w.rampUpS, 'closed workload: rampUpS');
  if (w.requestsPerUser !== undefined && !(Number.isInteger(w.requestsPerUser) && w.requestsPerUser >= 1))
    throw new RangeError('closed workload: requestsPerUser must be an integer ≥ 1');
  const [min, max] = w.thinkMs;
  checkNumber(min, 'closed workload: thinkMs[0]');
  checkNumber(max, 'closed workload: thinkMs[1]');
  if (max < min) throw new RangeError('closed workload: thinkMs must be [min, max] with min ≤ max');
}

/**
 * Stages form one continuous arrival curve: the count of sends due by time `t` is the integral
 * of the rate, and send `k` is intended at the moment that integral reaches `k`. So send 0 leaves
 * at t = 0, a stage of 200 req/s for 5 s holds exactly 1000 sends, 200 in each second, and a
 * fractional remainder carries over to the next stage instead of being rounded away per stage.
 */
export function openSchedule(stages: readonly OpenStage[]): ArrivalSchedule {
  const segments: Segment[] = [];
  let startS = 0;
  let before = 0;
  for (const s of stages) {
    const r0 = s.rate;
    const r1 = s.rampTo ?? s.rate;
    const count = ((r0 + r1) / 2) * s.durationS;
    if (s.durationS > 0) {
      segments.push({ startS, durationS: s.durationS, r0, a: (r1 - r0) / (2 * s.durationS), before, count });
    }
    startS += s.durationS;
    before += count;
  }
  const total = Math.max(0, Math.ceil(before - EPSILON));
  let cursor = 0;

  return {
    total,
    durationMs: startS * 1000,
    offsetMs(k: number): number {
      // Sends are asked for in increasing order, so the stage is found by walking forward.
      let seg = segments[cursor];
      if (!seg || k < seg.before) {
        cursor = 0;
        seg = segments[0];
      }
      while (seg && cursor < segments.length - 1 && k >= seg.before + seg.count) seg = segments[++cursor];
      if (!seg) return 0;
      const x = k - seg.before;
      // Solve r0·t + a·t² = x for t, in the form that stays exact when a is 0 (no ramp).
      const denominator = seg.r0 + Math.sqrt(Math.max(0, seg.r0 * seg.r0 + 4 * seg.a * x));
      const t = denominator > 0 ? (2 * x) / denominator : 0;
      return (seg.startS + Math.min(Math.max(t, 0), seg.durationS)) * 1000;
    },
  };
}
