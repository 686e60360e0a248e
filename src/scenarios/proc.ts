import { spawn, type ChildProcess } from 'node:child_process';

/** A process the harness started (a server, a worker, a broker node) and stops, or kills. */
export interface Proc {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Its last output (stdout and stderr), for a report of what went wrong. */
  output(): string;
}

const KEEP_CHARS = 20_000;
const FORCE_AFTER_MS = 20_000;

/** Spawns a process and resolves once its output matches `ready`; kills it if that never comes. */
export function startProc(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
  ready: RegExp,
  timeoutMs = 60_000,
): Promise<Proc & { match: RegExpExecArray }> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start in time:\n${output}`));
    }, timeoutMs);
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-KEEP_CHARS);
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ name, child, exited, output: () => output, match });
      }
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready:\n${output}`));
    });
  });
}

/** SIGTERM, and SIGKILL if it has not exited after 20 s. */
export async function stopProc(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const force = setTimeout(() => p.child.kill('SIGKILL'), FORCE_AFTER_MS);
  await p.exited;
  clearTimeout(force);
}
