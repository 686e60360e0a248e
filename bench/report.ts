import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Concurrency } from '../src/services/shop/config.js';
import type { Stock } from './api.js';
import type { StepResult } from './load.js';

export interface Drain {
  /** From the end of the load to the first ledger read with nothing pending. */
  seconds: number;
  timedOut: boolean;
  /** Orders confirmed by the worker during the step. */
  confirmed: number;
  /** Confirmed orders over the whole step: load (warm-up included) plus drain. */
  confirmedPerS: number;
}

export interface Step extends StepResult {
  drain?: Drain;
}

export interface ModeResult {
  mode: Concurrency;
  steps: Step[];
  stock?: Stock;
  /** Successful answers over every step, warm-ups included: what `sold` must equal. */
  accepted: number;
  /** Why the mode failed its checks; empty when it passed. */
  failures: string[];
}

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  os: string;
  node: string;
  commit: string;
  /** 1-minute load average when the run began: other work on the machine skews every figure. */
  loadAverage: number;
}

function gitCommit(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain').length > 0;
    return git('rev-parse', '--short', 'HEAD') + (dirty ? ' (with uncommitted changes)' : '');
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit: gitCommit(),
    loadAverage: os.loadavg()[0] ?? 0,
  };
}

export const machineLines = (m: Machine): string[] => [
  `machine: ${m.cores} cores, ${m.cpu}, ${m.memoryGiB} GiB RAM, ${m.os}`,
  `node:    ${m.node}`,
  `commit:  ${m.commit}`,
  `load:    ${m.loadAverage.toFixed(2)} (1-minute load average when the run began)`,
];

// One format for the progress lines, the table and the docs, so the figures agree everywhere.
export const rate = (n: number) => n.toFixed(1);
export const millis = (n: number) => n.toFixed(2);

export function progressLine(mode: string, s: Step): string {
  const w = s.window;
  const parts = [
    `${mode.padEnd(11)} c=${String(s.clients).padEnd(4)}`,
    `${rate(s.ordersPerS)} orders/s`,
    `p50 ${millis(s.latencyMs.p50)} ms, p95 ${millis(s.latencyMs.p95)} ms, p99 ${millis(s.latencyMs.p99)} ms`,
    `ok ${w.ok}, 409 ${w.conflict}, other 4xx ${w.other4xx}, 5xx ${w.server5xx}, errors ${w.errors}`,
  ];
  if (s.drain) {
    const d = s.drain;
    parts.push(
      d.timedOut
        ? `backlog NOT drained after ${rate(d.seconds)} s`
        : `backlog drained in ${rate(d.seconds)} s, ${rate(d.confirmedPerS)} confirmed/s end-to-end`,
    );
  }
  return parts.join('  ');
}

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

export function resultsTable(results: ModeResult[]): string[] {
  const lines = [
    row(['mode', 'clients', 'orders/s', 'p50 ms', 'p95 ms', 'p99 ms', '409', '5xx', 'errors']),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
  ];
  for (const r of results) {
    for (const s of r.steps) {
      const l = s.latencyMs;
      const w = s.window;
      lines.push(
        row([
          r.mode,
          s.clients,
          rate(s.ordersPerS),
          millis(l.p50),
          millis(l.p95),
          millis(l.p99),
          w.conflict,
          w.server5xx,
          w.errors,
        ]),
      );
    }
  }
  return lines;
}

/** Queued answers 202 before deciding; what it really sells per second shows only here. */
export function drainTable(results: ModeResult[]): string[] {
  const steps = results.flatMap((r) => r.steps.filter((s) => s.drain).map((s) => ({ mode: r.mode, s })));
  if (steps.length === 0) return [];
  const lines = [
    row(['mode', 'clients', 'accepted/s (202)', 'drain s', 'confirmed in step', 'confirmed/s end-to-end']),
    row(['---', '---:', '---:', '---:', '---:', '---:']),
  ];
  for (const { mode, s } of steps) {
    const d = s.drain!;
    const drained = d.timedOut ? `> ${rate(d.seconds)} (timed out)` : rate(d.seconds);
    lines.push(row([mode, s.clients, rate(s.ordersPerS), drained, d.confirmed, rate(d.confirmedPerS)]));
  }
  return lines;
}
