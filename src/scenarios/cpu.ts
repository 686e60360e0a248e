import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux Node supports). */
const TICKS_PER_S = 100;

export interface ProcessCpu {
  parent: number;
  /** The command name the kernel keeps (e.g. "postgres", "node"). */
  name: string;
  /** CPU seconds (user + system) used so far. */
  seconds: number;
}

/** Every live process's parent, name and CPU so far, from /proc; undefined off Linux. */
export function processCpuTable(): Map<number, ProcessCpu> | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const table = new Map<number, ProcessCpu>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    table.set(Number(entry), {
      parent: Number(fields[1]),
      name: stat.slice(stat.indexOf('(') + 1, close),
      seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S,
    });
  }
  return table;
}

/** CPU seconds (user + system) used so far by a process tree, in all and by command name. */
export interface TreeCpu {
  seconds: number;
  /** e.g. { node: 12.5, postgres: 30.1 }: the server and the embedded PostgreSQL it started. */
  byName: Record<string, number>;
}

/**
 * CPU used so far by a process and every live descendant, e.g. a server and the embedded
 * PostgreSQL it started (with its backends). Linux only: undefined elsewhere or when the process
 * is gone. Descendants that already exited are not counted.
 */
export function processTreeCpu(rootPid: number): TreeCpu | undefined {
  const table = processCpuTable();
  if (!table?.has(rootPid)) return undefined;
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid; p !== undefined && p > 0; p = table.get(p)?.parent) {
      if (p === rootPid) return true;
    }
    return false;
  };
  const tree: TreeCpu = { seconds: 0, byName: {} };
  for (const [pid, p] of table) {
    if (!inTree(pid)) continue;
    tree.seconds += p.seconds;
    tree.byName[p.name] = (tree.byName[p.name] ?? 0) + p.seconds;
  }
  return tree;
}
