import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/platform/db/database.js';
import { createLogger } from '../../src/platform/logger.js';
import { createTestDatabase, testPool } from '../helpers.js';

let url: { url: string; drop(): Promise<void> };
let database: Database;
let admin: pg.Pool;

beforeAll(async () => {
  url = await createTestDatabase();
  database = createDatabase({ url: url.url, poolSize: 2 }, createLogger('silent'));
  admin = testPool(url.url, 1);
});
afterAll(async () => {
  await database?.close();
  await admin?.end();
  await url?.drop();
});

describe('createDatabase', () => {
  it('survives a checked-out connection whose server goes away between two queries', async () => {
    const client = await database.pool.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const ended = new Promise((resolve) => client.once('end', resolve));
    // Without a listener of ours, the client's 'error' here would be an uncaught exception.
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    await ended;
    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release(true);
    expect((await database.pool.query<{ n: number }>('SELECT 41 + 1 AS n')).rows[0]!.n).toBe(42);
  });
});
