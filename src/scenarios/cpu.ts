import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux Node supports). */
const TICKS_PER_S = 100;

export interface ProcessCpu {
  parent: number;
  /** The command name the kernel keeps (e.g. "postgres", "node"). */
  name: string;
  /**
   * CPU seconds (user + system) used so far by the process and by its children that have exited
   * and been waited for: e.g. PostgreSQL's autovacuum workers, and backends the pool closed
   * after they stored batches for a while. Without it their CPU vanished from the total (1.2 to
   * 2.1 µs per event under 1,000-event batches, a tenth of the database's share).
   */
  seconds: number;
}

/** The ids of every live process, from /proc; undefined off Linux. */
function processIds(): string[] | undefined {
  try {
    return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
}

/** Every live process's parent, name and CPU so far, from /proc; undefined off Linux. */
export function processCpuTable(): Map<number, ProcessCpu> | undefined {
  const pids = processIds();
  if (!pids) return undefined;
  const table = new Map<number, ProcessCpu>();
  for (const entry of pids) {
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
      // utime, stime, cutime, cstime
      seconds:
        (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICKS_PER_S,
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
 * CPU used so far by a process and every descendant, e.g. a server and the embedded PostgreSQL
 * it started (with its backends). Linux only: undefined elsewhere or when the process is gone.
 * A descendant that exited counts once its parent has waited for it (as PostgreSQL's postmaster
 * does for its backends and workers at once).
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

/** The inodes of TCP sockets listening on `port` (IPv4 and IPv6), from /proc/net. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; the inode is the tenth field.
      if (f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A' && f[9]) inodes.add(f[9]);
    }
  }
  return inodes;
}

/**
 * The process listening on a local TCP port (e.g. the NATS server a scenario was given), so its
 * CPU can be counted with the rest of what shares the cores. Linux only, and only processes
 * whose file descriptors this one may read: undefined otherwise.
 */
export function listenerPid(port: number): number | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  for (const entry of processIds() ?? []) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // not ours to read, or gone
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode && inodes.has(inode)) return Number(entry);
    }
  }
  return undefined;
}
