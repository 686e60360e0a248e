import type { LoadOptions } from './load/engine.js';
import type { LoadResult, SixParts, Verdict, Workload } from './model.js';
import type { Target } from './target.js';

export type Size = 'smoke' | 'full';

export interface Answer {
  status: number;
  body: unknown;
  /** Lowercase names. */
  headers: Record<string, string | string[] | undefined>;
}

/** What a scenario gets to work with: the target over HTTP, and the load engine with progress. */
export interface ScenarioContext {
  target: Target;
  size: Size;
  /** One request for setup or checks (not measured). */
  http(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
  /** A measured load; prints a live progress line under `label`. */
  load(opts: Omit<LoadOptions, 'baseUrl' | 'onSecond'>, label?: string): Promise<LoadResult>;
  log(line: string): void;
}

/** What a scenario's code found: the run to chart and judge, and its own measures and checks. */
export interface ScenarioRun {
  result: LoadResult;
  measures: Record<string, number | string | boolean>;
  checks?: Verdict[];
  /** The workload as it actually ran, when it depends on what the run measured first. */
  workload?: Workload;
}

/** A quality scenario: data (the six parts, the workload, the criteria) plus the code that runs it. */
export interface Scenario {
  name: string;
  title: string;
  description: string;
  sixParts: SixParts;
  availabilityDefinition: string;
  /**
   * Non-2xx statuses that are correct answers here (a sold-out 409 under a promotion peak): the
   * report shows them as expected refusals, apart from errors.
   */
  expectedRefusals?: number[];
  /** The figure the original system reported for the same claim, for the scorecard. */
  seedFigure?: string;
  /** Settings for the server when the harness starts it. */
  serverEnv?: Record<string, string>;
  /**
   * What this machine lacks to run the scenario (a broker, nginx) and how to get it; undefined
   * when it can run. A scenario that cannot run is reported as skipped, not failed.
   */
  unavailable?(): string | undefined;
  /** Starts what the scenario drives instead of one `crucible serve` (e.g. a cluster behind nginx). */
  startTarget?(): Promise<Target>;
  /** Give the generator and the server separate cores when the harness starts the server. */
  separateCores?: boolean;
  workload(size: Size): Workload;
  criteria(size: Size): string[];
  /** The measure the scorecard's one line shows: the metric or measure name of a criterion. */
  headline: string;
  run(ctx: ScenarioContext): Promise<ScenarioRun>;
}
