import type { LoadResult, Verdict } from './model.js';

/**
 * k6-style thresholds written as text, so the criterion in the scenario file, the report and the
 * scorecard are the same words: `p99 < 500ms`, `error_rate < 0.01`, `availability >= 0.9999`,
 * `rps >= 1000`, or a scenario measure such as `sold == 500`.
 */
const PATTERN = /^\s*([a-z_][a-z0-9_.]*)\s*(<=|>=|==|!=|<|>)\s*(-?[\d.]+)\s*(ms|s|%)?\s*$/i;

const LATENCY = new Set(['mean', 'p50', 'p90', 'p95', 'p99', 'p999', 'max']);

export interface Judged {
  availability: number;
  errorRate: number;
  throughput: number;
  result: LoadResult;
  measures: Record<string, number | string | boolean>;
}

export class CriterionError extends Error {}

interface Parsed {
  metric: string;
  op: string;
  target: number;
  unit: string;
}

export function parseCriterion(text: string): Parsed {
  const m = PATTERN.exec(text);
  if (!m) throw new CriterionError(`cannot read criterion "${text}": write it like "p99 < 500ms"`);
  const unit = m[4] ?? '';
  let target = Number(m[3]);
  if (!Number.isFinite(target)) throw new CriterionError(`criterion "${text}": "${m[3]}" is not a number`);
  if (unit === 's') target *= 1000;
  if (unit === '%') target = Number((target / 100).toFixed(12));
  return { metric: m[1]!.toLowerCase(), op: m[2]!, target, unit };
}

function valueOf(metric: string, j: Judged): number | undefined {
  if (LATENCY.has(metric)) return j.result.latency[metric as keyof LoadResult['latency']];
  switch (metric) {
    case 'availability':
      return j.availability;
    case 'error_rate':
      return j.errorRate;
    case 'rps':
    case 'throughput':
      return j.throughput;
    case 'requests':
      return j.result.requests;
  }
  const measure = j.measures[metric];
  if (typeof measure === 'number') return measure;
  if (typeof measure === 'boolean') return measure ? 1 : 0;
  return undefined;
}

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

function show(value: number, metric: string, unit: string): string {
  if (LATENCY.has(metric) || unit === 'ms' || unit === 's') return `${value.toFixed(2)} ms`;
  if (metric === 'availability') return `${(value * 100).toFixed(4)} %`;
  if (metric === 'error_rate') return `${(value * 100).toFixed(4)} %`;
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(2);
}

export function judge(criterion: string, j: Judged): Verdict {
  const { metric, op, target, unit } = parseCriterion(criterion);
  const value = valueOf(metric, j);
  if (value === undefined) {
    return {
      criterion,
      actual: 'not measured',
      pass: false,
      detail: `no metric or measure named "${metric}"`,
    };
  }
  return { criterion, actual: show(value, metric, unit), pass: COMPARE[op]!(value, target) };
}
