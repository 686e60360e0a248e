import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../platform/net.js';
import { startProc, stopProc, type Proc } from './proc.js';
import type { Target } from './target.js';

export type { Proc } from './proc.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = path.join(ROOT, 'bin/crucible.js');
const NGINX_CONF = path.join(ROOT, 'deploy/nginx.conf');

/**
 * The deployment of deploy/README.md on one machine: one database (`crucible db`), N HTTP
 * instances without workers, M workers, and nginx in front with deploy/nginx.conf (its ports
 * swapped for free ones). The URL is nginx's.
 */
export interface Cluster extends Target {
  instances: Proc[];
  workers: Proc[];
  /** Starts one more worker (e.g. to replace a killed one). */
  addWorker(): Promise<Proc>;
}

export interface ClusterOptions {
  instances: number;
  workers: number;
  env?: Record<string, string>;
}

export function nginxMissing(): string | undefined {
  if (spawnSync('nginx', ['-v']).error) {
    return 'nginx is not installed (apt-get install nginx-light, or nginx); the scenario balances instances with it';
  }
  return undefined;
}

async function waitForHttp(url: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-cluster-'));
  await chmod(dir, 0o755);
  const started: Proc[] = [];
  const baseEnv = {
    ...process.env,
    NATS_URL: '',
    LOG_LEVEL: 'info',
    DATA_DIR: path.join(dir, 'data'),
    ...opts.env,
  };
  const stopAll = async () => {
    // nginx first (no new requests), then instances and workers, the database last.
    for (const p of [...started].reverse()) await stopProc(p);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const db = await startProc(
      'db',
      process.execPath,
      [CLI, 'db'],
      { ...baseEnv, DATABASE_URL: '' },
      /^DATABASE_URL=(\S+)$/m,
    );
    started.push(db);
    const env = { ...baseEnv, DATABASE_URL: db.match[1]! };
    const serving = /"url":"(http:[^"]+)"[^\n]*"msg":"serving"/;
    const serve = async (i: number) => {
      const port = await freePort();
      const p = await startProc(
        `instance-${i}`,
        process.execPath,
        [CLI, 'serve', '--no-workers', '--port', String(port)],
        env,
        serving,
      );
      return { proc: p, port };
    };
    // The first instance migrates alone; the others start together.
    const first = await serve(1);
    const rest = await Promise.all(Array.from({ length: opts.instances - 1 }, (_, i) => serve(i + 2)));
    const instances = [first, ...rest];
    started.push(...instances.map((i) => i.proc));
    let workerCount = 0;
    const addWorker = async () => {
      const p = await startProc(
        `worker-${++workerCount}`,
        process.execPath,
        [CLI, 'worker', '--queues', 'tracking'],
        env,
        /"msg":"workers running"/,
      );
      started.push(p);
      return p;
    };
    const workers: Proc[] = [];
    for (let i = 0; i < opts.workers; i++) workers.push(await addWorker());

    const nginxPort = await freePort();
    const prefix = path.join(dir, 'nginx');
    await mkdir(path.join(prefix, 'logs'), { recursive: true });
    await mkdir(path.join(prefix, 'tmp'), { recursive: true });
    let conf = await readFile(NGINX_CONF, 'utf8');
    const upstreams = instances
      .map((i) => `    server 127.0.0.1:${i.port} max_fails=1 fail_timeout=2s;`)
      .join('\n');
    conf = conf.replace(/( {4}server 127\.0\.0\.1:808\d[^\n]*\n)+/, `${upstreams}\n`);
    conf = conf.replace('listen 127.0.0.1:8040;', `listen 127.0.0.1:${nginxPort};`);
    const confFile = path.join(prefix, 'nginx.conf');
    await writeFile(confFile, conf);
    const nginx = spawn('nginx', ['-p', prefix, '-c', confFile, '-g', 'daemon off;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let nginxOut = '';
    nginx.stderr.on('data', (d: Buffer) => (nginxOut += d.toString()));
    const nginxProc: Proc = {
      name: 'nginx',
      child: nginx,
      exited: new Promise((r) => nginx.once('exit', r)),
      output: () => nginxOut,
    };
    started.push(nginxProc);
    const url = `http://127.0.0.1:${nginxPort}`;
    await waitForHttp(`${url}/health`);
    return {
      url,
      local: true,
      instances: instances.map((i) => i.proc),
      workers,
      addWorker,
      output: () => started.map((p) => `--- ${p.name}\n${p.output().slice(-2000)}`).join('\n'),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

export function natsServerMissing(): string | undefined {
  if (spawnSync('nats-server', ['--version']).error) {
    return 'nats-server is not installed (apt-get install nats-server, or a release from github.com/nats-io/nats-server)';
  }
  return undefined;
}

export interface NatsCluster {
  /** NATS_URL for clients: every node, comma-separated. */
  url: string;
  nodes: Proc[];
  stop(): Promise<void>;
}

/** A 3-node JetStream cluster on free loopback ports, as deploy/nats-cluster.sh starts one. */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-nats-'));
  const clientPorts = await Promise.all(Array.from({ length: size }, freePort));
  const routePorts = await Promise.all(Array.from({ length: size }, freePort));
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
  const nodes: Proc[] = [];
  const stop = async () => {
    for (const n of nodes) await stopProc(n);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const started = clientPorts.map((port, i) =>
      startProc(
        `nats-${i + 1}`,
        'nats-server',
        [
          '-n',
          `crucible-n${i + 1}`,
          '-a',
          '127.0.0.1',
          '-p',
          String(port),
          '-js',
          '-sd',
          path.join(dir, `n${i + 1}`),
          '--cluster_name',
          'crucible',
          '--cluster',
          `nats://127.0.0.1:${routePorts[i]}`,
          '--routes',
          routes,
        ],
        process.env,
        /Server is ready/,
      ),
    );
    const settled = await Promise.allSettled(started);
    for (const r of settled) if (r.status === 'fulfilled') nodes.push(r.value);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    // Streams can be created once the cluster has elected its metadata leader.
    const deadline = Date.now() + 30_000;
    while (!nodes.some((n) => /metadata leader/.test(n.output()))) {
      if (Date.now() > deadline) throw new Error('the NATS cluster elected no metadata leader in 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    return { url: clientPorts.map((p) => `nats://127.0.0.1:${p}`).join(','), nodes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Deletes the JetStream streams a harness-started server made under `prefix` (NATS_PREFIX). */
export async function deleteStreams(natsUrl: string, prefix: string): Promise<void> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: natsUrl.split(',').map((s) => s.trim()) });
  try {
    const jsm = await jetstreamManager(nc);
    const upper = prefix.toUpperCase();
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(`${upper}_`) || name.startsWith(`${upper}-DEAD_`)) await jsm.streams.delete(name);
    }
  } finally {
    await nc.close();
  }
}

/** The server name (`crucible-n<i>`) that leads a stream's replicas: the worst node to lose. */
export async function streamLeader(natsUrl: string, stream: string): Promise<string | undefined> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: natsUrl.split(',').map((s) => s.trim()) });
  try {
    const jsm = await jetstreamManager(nc);
    return (await jsm.streams.info(stream)).cluster?.leader;
  } finally {
    await nc.close();
  }
}
