import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import type { Concurrency } from '../src/services/shop/config.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Ports of servers a developer may run beside us; a benchmark must never touch them. */
const RESERVED_PORTS = new Set([5432, 4222, 6379, 5672]);
const READY_TIMEOUT_MS = 60_000;
/** The server drains for up to SHUTDOWN_TIMEOUT_MS (10 s) itself; then it is killed. */
const STOP_TIMEOUT_MS = 20_000;
const KEPT_LINES = 200;

export interface Server {
  url: string;
  /** The server's last output lines (its JSON log), to show when something fails. */
  output(): string[];
  /** How the process ended ('exit code 1', 'signal SIGKILL'), or undefined while it runs. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

function listenOnce(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** An ephemeral port the kernel just handed out; the server binds it a moment later. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await listenOnce();
    if (!RESERVED_PORTS.has(port)) return port;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function answersReady(url: string): Promise<boolean> {
  try {
    const res = await request(`${url}/ready`, { headersTimeout: 3_000, bodyTimeout: 3_000 });
    await res.body.dump();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}

function keepTail(child: ChildProcess): string[] {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(line);
    if (lines.length > KEPT_LINES) lines.splice(0, lines.length - KEPT_LINES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return lines;
}

function exitOf(child: ChildProcess): string | undefined {
  if (child.signalCode !== null) return `signal ${child.signalCode}`;
  if (child.exitCode !== null) return `exit code ${child.exitCode}`;
  return undefined;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function waitReady(url: string, child: ChildProcess, output: string[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the server exited (${child.exitCode}) before it was ready:\n${output.join('\n')}`);
    }
    if (await answersReady(url)) return;
    await sleep(200);
  }
  throw new Error(`the server did not answer GET /ready in ${READY_TIMEOUT_MS} ms:\n${output.join('\n')}`);
}

/** A fresh product process with its own embedded database, as an operator would start it. */
export async function startServer(mode: Concurrency): Promise<Server> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'crucible-bench-'));
  // As root the database runs as `postgres`, which must be able to enter DATA_DIR.
  await chmod(dataDir, 0o755);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    SHOP_CONCURRENCY: mode,
    LOG_LEVEL: 'warn',
  };
  // Its own process group: a Ctrl-C reaches only us, and we stop it once, with SIGTERM. Two
  // signals would make close-with-grace exit at once instead of draining.
  const child = spawn(process.execPath, ['bin/crucible.js', 'serve'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = keepTail(child);
  // Should we die without stopping it (an uncaught error), the server must not outlive us.
  const onExit = () => child.kill('SIGTERM');
  process.once('exit', onExit);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (!(await waitExit(child, 0))) child.kill('SIGTERM');
      if (!(await waitExit(child, STOP_TIMEOUT_MS))) {
        // The whole group, so its PostgreSQL does not linger as an orphan.
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
        await waitExit(child, 5_000);
      }
      process.removeListener('exit', onExit);
      await rm(dataDir, { recursive: true, force: true });
    })());
  try {
    await waitReady(url, child, output);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    output: () => [...output],
    exited: () => exitOf(child),
    stop,
  };
}
