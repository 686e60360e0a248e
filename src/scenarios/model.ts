import type { CpuCheck } from './cpu-check.js';
/**
 * The data every part of the harness shares: what a scenario declares, what the load engine
 * measures each second, and what a run concludes. Reports are rendered from these alone.
 */

/** The six parts of a quality-attribute scenario (Bass, Clements, Kazman), shown in the report. */
export interface SixParts {
  source: string;
  stimulus: string;
  environment: string;
  artifact: string;
  response: string;
  responseMeasure: string;
}

/** One stage of an open workload: `rate` requests/s for `durationS`, ramping to `rampTo` if set. */
export interface OpenStage {
  durationS: number;
  rate: number;
  rampTo?: number;
}

/**
 * Open model: sends are scheduled on the clock whatever the server does, and latency counts
 * from the intended send time (no coordinated omission). Closed model: `users` virtual users,
 * each sends, waits for the answer, thinks, and sends again (siege, JMeter thread groups, Locust).
 */
export type Workload =
  | { model: 'open'; stages: OpenStage[]; maxInFlight?: number }
  | {
      model: 'closed';
      users: number;
      /** With `requestsPerUser`, an upper bound: the load ends when every user has sent its share. */
      durationS: number;
      thinkMs: [number, number];
      rampUpS?: number;
      /** Each user stops after this many requests (JMeter's loop count × samplers per loop). */
      requestsPerUser?: number;
    };

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Builds the next request; `seq` counts sends from 0, `user` is the virtual user (closed model). */
export type RequestFactory = (ctx: { seq: number; user?: number }) => RequestSpec;

/** One second of a run, as the timeline chart and `timeline.csv` show it. */
export interface SecondSample {
  /** Seconds since the start of the load. */
  t: number;
  /** Requests whose intended send time fell in this second. */
  sent: number;
  /** Answers (or failures) that completed in this second. */
  completed: number;
  good: number;
  /** Latency percentiles (ms) of the answers completed in this second. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Completions by HTTP status; 0 means no answer (refused, reset, timed out). */
  byStatus: Record<string, number>;
  /** How late the generator started sends relative to their schedule (ms, worst in the second). */
  lagMs: number;
  /** CPU the generator process used in this second, in percent of one core. */
  cpuPercent: number;
}

export interface LatencySummary {
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/** What the load engine returns: enough to judge every criterion and draw every chart. */
export interface LoadResult {
  startedAt: string;
  durationS: number;
  requests: number;
  good: number;
  latency: LatencySummary;
  /** The whole run's latency histogram (µs), HdrHistogram compressed base64: phases merge exactly. */
  histogram?: string;
  byStatus: Record<string, number>;
  /** The first answer body of each bad status (when bodies were read: a scenario's isGood). */
  samples?: Record<string, string>;
  timeline: SecondSample[];
  generator: { maxLagMs: number; p99LagMs: number; cpuPercent: number; saturated: boolean; reason?: string };
}

export interface Verdict {
  /** The criterion as written, e.g. `p99 < 500ms` or `invariant holds`. */
  criterion: string;
  actual: string;
  pass: boolean;
  detail?: string;
}

export interface Environment {
  machine: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  postgres?: string;
  commit?: string;
  target: string;
  /** True when the generator and the server shared the same cores. */
  sharedCores: boolean;
  /** How fast the cores were when the run started (src/scenarios/cpu-check.ts). */
  cpuCheck?: CpuCheck;
}

export type Outcome = 'pass' | 'fail' | 'invalid';

/** Everything `summary.json` holds and `report.html` shows. */
export interface RunSummary {
  scenario: string;
  title: string;
  description: string;
  size: 'smoke' | 'full';
  sixParts: SixParts;
  workload: Workload;
  /** How "good" and "valid" are defined for availability in this scenario, in words. */
  availabilityDefinition: string;
  /** Non-2xx statuses the scenario counts as correct answers, shown apart from errors. */
  expectedRefusals?: string[];
  result: LoadResult;
  availability: number;
  errorRate: number;
  throughput: number;
  /** Scenario-specific measures (e.g. `sold`, `highest_rate_held`, `recovery_ms`). */
  measures: Record<string, number | string | boolean>;
  verdicts: Verdict[];
  outcome: Outcome;
  environment: Environment;
}
