import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** Starts `crucible serve` on a free port with a fresh embedded database, and waits until it serves. */
export async function startTarget(opts: StartOptions = {}): Promise<Target> {
  const fresh = opts.dataDir ? undefined : await mkdtemp(path.join(os.tmpdir(), 'crucible-scenario-'));
  if (fresh) await chmod(fresh, 0o755);
  const dataDir = opts.dataDir ?? fresh!;
  const command = opts.cpus
    ? ['taskset', ['-c', opts.cpus, process.execPath, CLI, 'serve', '--port', '0']]
    : [process.execPath, [CLI, 'serve', '--port', '0']];
  const child: ChildProcess = spawn(command[0] as string, command[1] as string[], {
    // The broker only when a scenario asks for it (its serverEnv), never picked up from the shell.
    env: {
      ...process.env,
      DATABASE_URL: '',
      NATS_URL: '',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the server did not start in time:\n${output}`)),
      opts.timeoutMs ?? 60_000,
    );
    child.stdout!.on('data', (d: Buffer) => {
      keep(d);
      const match = /"url":"(http:[^"]+)"[^\n]*"msg":"serving"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before serving:\n${output}`));
    });
  }).catch(async (err: unknown) => {
    child.kill('SIGKILL');
    if (fresh) await rm(fresh, { recursive: true, force: true });
    throw err;
  });
  let stopping: Promise<void> | undefined;
  return {
    url,
    local: true,
    cpus: opts.cpus,
    output: () => output,
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode === null) {
          child.kill('SIGTERM');
          const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
          await exited;
          clearTimeout(force);
        }
        if (fresh) await rm(fresh, { recursive: true, force: true });
      })()),
  };
}

/** A server someone else runs: nothing to start or stop. */
export function remoteTarget(url: string): Target {
  const parsed = new URL(url);
  const local = ['localhost', '127.0.0.1', '::1', '[::1]'].includes(parsed.hostname);
  return { url: parsed.origin, local, output: () => '', stop: async () => undefined };
}
