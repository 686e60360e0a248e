import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { CpuCheck } from './cpu-check.js';
import type { Environment } from './model.js';
import type { Target } from './target.js';

function commit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    return undefined;
  }
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
  const cpus = os.cpus();
  return {
    machine: `${os.hostname()} (${os.platform()} ${os.release()} ${os.arch()})`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres,
    commit: commit(),
    target: target.url,
    sharedCores: target.local && !target.cpus,
    ...(cpuCheck ? { cpuCheck } : {}),
  };
}
