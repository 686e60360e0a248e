import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../platform/net.js';
import { startProc, stopProc, type Proc } from './proc.js';
import type { Target } from './target.js';

const CLI = fileURLToPath(new URL('../../bin/crucible.js', import.meta.url));
const SERVING = /"url":"(http:[^"]+)"[^\n]*"msg":"serving"/;

/**
 * Several `crucible serve` instances on one database (`crucible db`), with no balancer: the
 * scenario spreads its clients over `urls` itself, so the same client can be sent to each
 * instance in turn. The Target's url is the first instance's.
 */
export interface Instances extends Target {
  urls: string[];
  instances: Proc[];
  /** The shared database, to stop under the instances and start again on the same URL. */
  database: { stop(): Promise<void>; start(): Promise<void> };
}

export interface InstancesOptions {
  count: number;
  env?: Record<string, string>;
  /** Run each instance's workers too (default true), as `crucible serve` does. */
  workers?: boolean;
}

export async function startInstances(opts: InstancesOptions): Promise<Instances> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-instances-'));
  await chmod(dir, 0o755);
  const baseEnv = {
    ...process.env,
    NATS_URL: '',
    LOG_LEVEL: 'info',
    DATA_DIR: path.join(dir, 'data'),
    ...opts.env,
  };
  const started: Proc[] = [];
  const stop = async () => {
    // The instances first (they drain), the database last.
    for (const p of [...started].reverse()) await stopProc(p);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // A fixed port: a restarted database keeps the URL the instances were given.
    const dbArgs = [CLI, 'db', '--port', String(await freePort())];
    const startDb = () =>
      startProc('db', process.execPath, dbArgs, { ...baseEnv, DATABASE_URL: '' }, /^DATABASE_URL=(\S+)$/m);
    let db = await startDb();
    started.push(db);
    const env = { ...baseEnv, DATABASE_URL: db.match[1]! };
    const database = {
      stop: () => stopProc(db),
      async start() {
        const again = await startDb();
        started[started.indexOf(db)] = again;
        db = again;
      },
    };
    const args = [CLI, 'serve', '--port', '0', ...(opts.workers === false ? ['--no-workers'] : [])];
    const serve = (i: number) => startProc(`instance-${i}`, process.execPath, args, env, SERVING);
    // The first instance migrates alone; the others start together.
    const first = await serve(1);
    started.push(first);
    const rest = await Promise.allSettled(Array.from({ length: opts.count - 1 }, (_, i) => serve(i + 2)));
    for (const r of rest) if (r.status === 'fulfilled') started.push(r.value);
    const failed = rest.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const instances = [first, ...rest.map((r) => (r as PromiseFulfilledResult<typeof first>).value)];
    const urls = instances.map((p) => p.match[1]!);
    return {
      url: urls[0]!,
      urls,
      local: true,
      instances,
      database,
      output: () => started.map((p) => `--- ${p.name}\n${p.output().slice(-2000)}`).join('\n'),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
