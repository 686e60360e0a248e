import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { processTreeCpu, type TreeCpu } from './cpu.js';
import { startProc, stopProc } from './proc.js';

const CLI = fileURLToPath(new URL('../../bin/crucible.js', import.meta.url));

/** The server a scenario drives: one the harness started (and stops), or one given by URL. */
export interface Target {
  url: string;
  /** True when the harness started the server on this machine. */
  local: boolean;
  /** The server's CPUs when it was pinned apart from the generator's. */
  cpus?: string;
  /** The server's last log lines, for a report of what went wrong. */
  output(): string;
  /**
   * CPU the server and its children (the embedded PostgreSQL) used so far, when the harness
   * started it on Linux.
   */
  cpu?(): TreeCpu | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Keep the data here instead of a fresh temporary directory (removed afterwards). */
  dataDir?: string;
  timeoutMs?: number;
  /** Run the server on these CPUs only (`taskset -c`), e.g. "1". */
  cpus?: string;
}

const SERVING = /"url":"(http:[^"]+)"[^\n]*"msg":"serving"/;

/** Starts `crucible serve` on a free port with a fresh embedded database, and waits until it serves. */
export async function startTarget(opts: StartOptions = {}): Promise<Target> {
  const fresh = opts.dataDir ? undefined : await mkdtemp(path.join(os.tmpdir(), 'crucible-scenario-'));
  if (fresh) await chmod(fresh, 0o755);
  const dataDir = opts.dataDir ?? fresh!;
  const serve = [CLI, 'serve', '--port', '0'];
  const [command, args] = opts.cpus
    ? ['taskset', ['-c', opts.cpus, process.execPath, ...serve]]
    : [process.execPath, serve];
  // The broker only when a scenario asks for it (its serverEnv), never picked up from the shell.
  const env = {
    ...process.env,
    DATABASE_URL: '',
    NATS_URL: '',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    ...opts.env,
  };
  const server = await startProc('the server', command, args, env, SERVING, opts.timeoutMs).catch(
    async (err: unknown) => {
      if (fresh) await rm(fresh, { recursive: true, force: true });
      throw err;
    },
  );
  let stopping: Promise<void> | undefined;
  return {
    url: server.match[1]!,
    local: true,
    cpus: opts.cpus,
    output: server.output,
    cpu: () => (server.child.pid ? processTreeCpu(server.child.pid) : undefined),
    stop: () =>
      (stopping ??= (async () => {
        await stopProc(server);
        if (fresh) await rm(fresh, { recursive: true, force: true });
      })()),
  };
}

/** Whether a URL names this machine (a server there shares the generator's cores). */
export function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '::1', '[::1]'].includes(url.hostname);
}

/** A server someone else runs: nothing to start or stop. */
export function remoteTarget(url: string): Target {
  const parsed = new URL(url);
  const local = isLoopback(parsed);
  return { url: parsed.origin, local, output: () => '', stop: async () => undefined };
}
