import { readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { postgresLogLevel, startEmbeddedPostgres } from '../../src/platform/db/embedded.js';
import { createLogger } from '../../src/platform/logger.js';
import { serve, tempDir } from '../process.js';

const log = createLogger('silent');

async function selectOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT 1 AS one')).rows[0].one;
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL', () => {
  it('initialises, serves on a free port (never 5432) and restarts on the same data', async () => {
    const dir = await tempDir();
    const first = await startEmbeddedPostgres(dir, log);
    expect(first.port).not.toBe(5432);
    expect(await selectOne(first.url)).toBe(1);
    await first.stop();
    const again = await startEmbeddedPostgres(dir, log);
    expect(await selectOne(again.url)).toBe(1);
    await again.stop();
  });

  it.runIf(process.getuid?.() === 0)(
    'as root, keeps the cluster where the postgres user can reach it when DATA_DIR is private',
    async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-private-'));
      await chmod(dir, 0o700);
      const server = await startEmbeddedPostgres(dir, log);
      try {
        expect(server.dataDir.startsWith(dir)).toBe(false);
        expect(await selectOne(server.url)).toBe(1);
      } finally {
        await server.stop();
        await rm(path.dirname(server.dataDir), { recursive: true, force: true });
      }
    },
  );

  it("forwards the server's warnings into our log", async () => {
    const lines: string[] = [];
    const capture = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const server = await startEmbeddedPostgres(await tempDir(), capture);
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      await client.query(`DO $$ BEGIN RAISE WARNING 'crucible-probe-42'; END $$`);
      await client.end();
      await new Promise((r) => setTimeout(r, 300));
      const warning = lines
        .map((l) => JSON.parse(l))
        .find((l) => String(l.postgres).includes('crucible-probe-42'));
      expect(warning?.level).toBe(40);
    } finally {
      await server.stop();
    }
  });

  it('logs warnings and failures at warn, but not the autovacuum worker that its own stop ends', () => {
    const at = (line: string) => postgresLogLevel(`2026-11-24 08:26:05.836 UTC [19773] ${line}`);
    expect(at('WARNING:  crucible-probe-42')).toBe('warn');
    expect(at('FATAL:  terminating connection due to administrator command')).toBe('warn');
    expect(at('PANIC:  could not write to file')).toBe('warn');
    expect(at('FATAL:  terminating autovacuum process due to administrator command')).toBe('debug');
    expect(at('ERROR:  canceling statement due to lock timeout')).toBe('debug');
    expect(at('LOG:  database system is ready to accept connections')).toBe('debug');
  });

  it('starts over a stale postmaster.pid whose process is gone', async () => {
    const dir = await tempDir();
    const server = await startEmbeddedPostgres(dir, log);
    await server.stop();
    writeFileSync(path.join(server.dataDir, 'postmaster.pid'), '999999\n/nowhere\n0\n5432\n');
    const after = await startEmbeddedPostgres(dir, log);
    expect(await selectOne(after.url)).toBe(1);
    await after.stop();
  });

  it('recovers after the previous run was killed with SIGKILL', async () => {
    const dir = await tempDir();
    const served = await serve({ DATA_DIR: dir });
    const pidFile = path.join(dir, 'pg', 'postmaster.pid');
    const orphan = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    served.child.kill('SIGKILL');
    await served.exited;
    const restarted = await startEmbeddedPostgres(dir, log);
    try {
      expect(await selectOne(restarted.url)).toBe(1);
      // The orphan of the killed run was stopped, not shared.
      expect(() => process.kill(orphan, 0)).toThrow();
    } finally {
      await restarted.stop();
    }
  });
});
