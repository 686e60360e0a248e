import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux Node supports). */
const TICKS_PER_S = 100;

/**
 * CPU seconds (user + system) used so far by a process and every live descendant, e.g. a server
 * and the embedded PostgreSQL it started (with its backends). Linux only: undefined elsewhere or
 * when the process is gone. Descendants that already exited are not counted.
 */
export function processTreeCpuSeconds(rootPid: number): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const parentOf = new Map<number, number>();
  const ticksOf = new Map<number, number>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(entry);
    parentOf.set(pid, Number(fields[1]));
    ticksOf.set(pid, Number(fields[11]) + Number(fields[12]));
  }
  if (!ticksOf.has(rootPid)) return undefined;
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid; p !== undefined && p > 0; p = parentOf.get(p)) {
      if (p === rootPid) return true;
    }
    return false;
  };
  let ticks = 0;
  for (const [pid, t] of ticksOf) if (inTree(pid)) ticks += t;
  return ticks / TICKS_PER_S;
}
