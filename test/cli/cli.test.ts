import { spawn } from 'node:child_process';
import pg from 'pg';
import { freePort } from '../../src/platform/net.js';
import { describe, expect, it } from 'vitest';
import { DEMO_CUSTOMER_ID, DEMO_DISC_ID } from '../../src/services/shop/seed.js';
import { main } from '../../src/cli/program.js';
import { CLI, run, serve, tempDir } from '../process.js';
import { client } from '../shop/client.js';

/** Runs the command in this process (so coverage sees it), with its own env and captured output. */
async function cli(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    env: { LOG_LEVEL: 'silent', DATA_DIR: await tempDir(), ...env },
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('the crucible command', () => {
  it.each(['serve', 'worker', 'db', 'migrate', 'seed', 'media', 'eval', 'logs', 'scenario', 'simulate'])(
    '%s --help describes its options',
    async (command) => {
      const { code, stdout } = await cli([command, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: crucible ${command}`);
    },
  );

  it('runs as a real process from bin/crucible.js', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('serve');
  });

  it('refuses an unknown flag, an unknown service and a bad port', async () => {
    const flag = await cli(['serve', '--colour', 'blue']);
    expect(flag.code).not.toBe(0);
    expect(flag.stderr).toContain("unknown option '--colour'");
    const service = await cli(['migrate', '--services', 'bakery']);
    expect(service.code).toBe(2);
    expect(service.stderr).toContain('unknown service "bakery"; known: shop');
    const port = await cli(['serve', '--port', '99999']);
    expect(port.code).not.toBe(0);
    expect(port.stderr).toContain('must be a port from 0 to 65535');
    const seedless = await cli(['seed', 'nothing']);
    expect(seedless.code).toBe(2);
  });

  it('stops at start on a bad setting, naming the variable', async () => {
    const { code, stderr } = await cli(['migrate'], { DB_POOL_SIZE: 'many' });
    expect(code).toBe(2);
    expect(stderr).toContain('DB_POOL_SIZE: must be an integer from 1 to 1000, got "many"');
    const mode = await cli(['serve', '--port', '0'], { SHOP_CONCURRENCY: 'fast' });
    expect(mode.code).toBe(2);
    expect(mode.stderr).toContain('SHOP_CONCURRENCY');
  });

  it('migrates and seeds the demo data on the embedded database', async () => {
    const dir = await tempDir();
    const migrated = await cli(['migrate'], { DATA_DIR: dir });
    expect(migrated.stdout).toContain('migrated: shop');
    const seeded = await cli(['seed', 'shop'], { DATA_DIR: dir });
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toContain(DEMO_DISC_ID);
  });

  /** `crucible db` with its DATABASE_URL line read, and a way to stop it as a signal would. */
  async function runDb(dir: string, args: string[] = []) {
    const child = spawn(process.execPath, [CLI, 'db', ...args], {
      env: { ...process.env, DATABASE_URL: '', NATS_URL: '', LOG_LEVEL: 'warn', DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no DATABASE_URL: ${output}`)), 60_000);
      child.stdout.on('data', () => {
        const m = /^DATABASE_URL=(\S+)$/m.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    return {
      url,
      stop: async () => {
        child.kill('SIGTERM');
        return exited;
      },
    };
  }
  const query = async (url: string, text: string) => {
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      return (await db.query(text)).rows;
    } finally {
      await db.end();
    }
  };

  it('db runs the embedded PostgreSQL alone, prints its DATABASE_URL, and stops it on SIGTERM', async () => {
    const dir = await tempDir();
    const db = await runDb(dir);
    expect(await query(db.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    expect(await db.stop()).toBe(0);
    const again = new pg.Client({ connectionString: db.url, connectionTimeoutMillis: 2000 });
    await expect(again.connect()).rejects.toThrow();
  });

  it('db --port listens there, so a restart keeps the URL and the data', async () => {
    const dir = await tempDir();
    const port = await freePort();
    const first = await runDb(dir, ['--port', String(port)]);
    expect(new URL(first.url).port).toBe(String(port));
    await query(first.url, 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)');
    expect(await first.stop()).toBe(0);
    const second = await runDb(dir, ['--port', String(port)]);
    expect(second.url).toBe(first.url);
    expect(await query(second.url, 'SELECT n FROM kept')).toEqual([{ n: 7 }]);
    expect(await second.stop()).toBe(0);
  });

  it('db refuses to run when DATABASE_URL points elsewhere', async () => {
    const { code, stderr } = await cli(['db'], { DATABASE_URL: 'postgres://x@127.0.0.1:1/x' });
    expect(code).not.toBe(0);
    expect(stderr).toContain('DATABASE_URL is set');
  });
});

describe('crucible serve', () => {
  it('finishes in-flight purchases on SIGTERM, exits 0, and loses nothing', async () => {
    const dir = await tempDir();
    const seeded = await run(['seed', 'shop'], { DATA_DIR: dir });
    expect(seeded.code).toBe(0);
    const served = await serve({ DATA_DIR: dir });
    const http = client(served.url, 200);
    const order = { disc_id: DEMO_DISC_ID, customer_id: DEMO_CUSTOMER_ID, quantity: 1 };
    const inFlight = Array.from({ length: 300 }, () =>
      http.post('/purchase-orders', order).catch((err: Error) => ({ status: 0, error: err.message })),
    );
    await Promise.race(inFlight);
    served.child.kill('SIGTERM');
    const answers = await Promise.all(inFlight);
    await http.close();
    expect(await served.exited).toBe(0);
    expect(served.output()).toContain('shutting down');

    const sold = answers.filter((a) => a.status === 200).length;
    expect(sold).toBeGreaterThan(0);
    // Requests that arrived after the drain began are refused cleanly (503) or never connected.
    expect(answers.every((a) => [0, 200, 409, 503].includes(a.status))).toBe(true);

    const again = await serve({ DATA_DIR: dir });
    const check = client(again.url);
    const stock = (await check.get(`/discs/${DEMO_DISC_ID}/stock`)).body;
    await check.close();
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    expect(stock).toMatchObject({ sold, consistent: true, initial: 500, remaining: 500 - sold });
  });

  it('drains on Ctrl-C (SIGINT to its whole process group) as on SIGTERM: the database goes last', async () => {
    const dir = await tempDir();
    expect((await run(['seed', 'shop'], { DATA_DIR: dir })).code).toBe(0);
    const served = await serve({ DATA_DIR: dir }, [], { detached: true });
    const http = client(served.url, 200);
    const order = { disc_id: DEMO_DISC_ID, customer_id: DEMO_CUSTOMER_ID, quantity: 1 };
    const inFlight = Array.from({ length: 300 }, () =>
      http.post('/purchase-orders', order).catch((err: Error) => ({ status: 0, error: err.message })),
    );
    await Promise.race(inFlight);
    process.kill(-served.child.pid!, 'SIGINT'); // what a terminal's Ctrl-C does
    const answers = await Promise.all(inFlight);
    await http.close();
    expect(await served.exited).toBe(0);
    expect(answers.every((a) => [0, 200, 409, 503].includes(a.status))).toBe(true);
    // The embedded PostgreSQL ignored the group's SIGINT: no session was cut while draining.
    expect(served.output()).not.toMatch(/FATAL|connection failed|job queue error/);
  });
});
