import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { describeCpuCheck, type CpuCheck } from './cpu-check.js';
import type { Environment } from './model.js';
import type { Target } from './target.js';

function commit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    return undefined;
  }
}

/** The machine and the code, for a measure that drives no server over HTTP (a store's benchmark). */
export type Machine = Omit<Environment, 'target' | 'sharedCores'>;

export function describeMachine(cpuCheck?: CpuCheck, postgres?: string): Machine {
  const cpus = os.cpus();
  return {
    machine: `${os.hostname()} (${os.platform()} ${os.release()} ${os.arch()})`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres,
    commit: commit(),
    ...(cpuCheck ? { cpuCheck } : {}),
  };
}

/** Where a run happened, so a figure is never quoted without its machine. */
export async function describeEnvironment(target: Target, cpuCheck?: CpuCheck): Promise<Environment> {
  let postgres: string | undefined;
  try {
    const ready = (await (await fetch(`${target.url}/ready`)).json()) as { postgres?: string };
    postgres = ready.postgres;
  } catch {
    postgres = undefined;
  }
  return {
    ...describeMachine(cpuCheck, postgres),
    target: target.url,
    sharedCores: target.local && !target.cpus,
  };
}

/** The same, as lines for a console (a benchmark prints them above its figures). */
export function environmentLines(e: Machine & Partial<Environment>): string[] {
  const lines = [
    `machine:   ${e.machine}, ${e.cpus} × ${e.cpuModel}, ${e.memoryGiB} GiB`,
    `software:  Node ${e.node}${e.postgres ? `, PostgreSQL ${e.postgres}` : ''}, commit ${e.commit ?? 'unknown'}`,
  ];
  if (e.cpuCheck) lines.push(`cpu check: ${describeCpuCheck(e.cpuCheck)}`);
  if (e.target) {
    lines.push(`target:    ${e.target}${e.sharedCores ? ' (shares its cores with the load generator)' : ''}`);
  }
  return lines;
}
