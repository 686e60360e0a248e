import { spawnSync } from 'node:child_process';
import os from 'node:os';

/**
 * On a machine of a few cores, a generator and a server on the same cores measure each other's
 * CPU appetite as much as the server. Where `taskset` exists and there are at least two cores,
 * the generator keeps the first core and the server (with its PostgreSQL, which inherits the
 * affinity) gets the rest, so a run that needs a fast generator (overload) can be valid.
 */
export interface CoreSplit {
  generator: string;
  server: string;
}

export function splitCores(): CoreSplit | undefined {
  const cpus = os.cpus().length;
  if (cpus < 2 || process.platform !== 'linux') return undefined;
  if (spawnSync('taskset', ['--version']).status !== 0) return undefined;
  return { generator: '0', server: cpus === 2 ? '1' : `1-${cpus - 1}` };
}

/** Pins every thread of this process (the generator) to `cpus`; returns a function that undoes it. */
export function pinSelf(cpus: string): () => void {
  const before = spawnSync('taskset', ['-pc', String(process.pid)], { encoding: 'utf8' }).stdout;
  const previous = /list:\s*(\S+)/.exec(before)?.[1] ?? `0-${os.cpus().length - 1}`;
  spawnSync('taskset', ['-a', '-pc', cpus, String(process.pid)]);
  return () => void spawnSync('taskset', ['-a', '-pc', previous, String(process.pid)]);
}
