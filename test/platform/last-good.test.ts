import net from 'node:net';
import Fastify from 'fastify';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDbUnreachable, LastGood, markStale } from '../../src/platform/db/last-good.js';
import { createTestDatabase, testPool } from '../helpers.js';

let db: { url: string; drop(): Promise<void> };
let pool: pg.Pool;
let closed: pg.Pool;

/** A port nothing listens on: a database that is down. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = testPool(db.url, 2);
  const down = new URL(db.url);
  down.port = String(await closedPort());
  closed = testPool(down.toString(), 2);
});
afterAll(async () => {
  await pool?.end();
  await closed?.end();
  await db?.drop();
});

const now = (pool: pg.Pool) => async () => (await pool.query<{ n: number }>('SELECT 41 + 1 AS n')).rows[0]!.n;

describe('isDbUnreachable', () => {
  it('is true of a refused connection and a terminated one, false of a query error', async () => {
    const refused = await closed.query('SELECT 1').catch((e: unknown) => e);
    expect(isDbUnreachable(refused)).toBe(true);

    const client = await pool.connect();
    client.on('error', () => undefined);
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    // The timeout makes the call wait until the backend is gone, so the next query cannot beat it.
    await pool.query('SELECT pg_terminate_backend($1, 5000)', [rows[0]!.pid]);
    const terminated = await client.query('SELECT 1').catch((e: unknown) => e);
    client.release(true);
    expect(isDbUnreachable(terminated)).toBe(true);

    const syntax = await pool.query('SELEC 1').catch((e: unknown) => e);
    expect(isDbUnreachable(syntax)).toBe(false);
    expect(isDbUnreachable('ECONNREFUSED')).toBe(false);
  });
});

describe('LastGood', () => {
  it('answers from the database while it answers, and from memory, marked stale, while it cannot', async () => {
    const cache = new LastGood<number>({ max: 10 });
    expect(await cache.read('k', now(pool))).toEqual({ value: 42 });
    expect(cache.databaseDown).toBe(false);

    const stale = await cache.read('k', now(closed));
    expect(stale.value).toBe(42);
    expect(stale.staleSince).toBeInstanceOf(Date);
    expect(cache.databaseDown).toBe(true);

    // A key never read has nothing to fall back on: the outage shows as the error it is.
    await expect(cache.read('other', now(closed))).rejects.toSatisfy(isDbUnreachable);
  });

  it('skips the database for a while after finding it down, then tries again and recovers', async () => {
    let t = 1_000;
    const cache = new LastGood<number>({ max: 10, retryAfterMs: 500, now: () => t });
    await cache.read('k', now(pool));
    await cache.read('k', now(closed));
    let tried = 0;
    const counted = async () => {
      tried++;
      return now(pool)();
    };
    t += 100;
    expect((await cache.read('k', counted)).staleSince).toBeDefined();
    expect(tried).toBe(0);
    t += 500;
    expect(await cache.read('k', counted)).toEqual({ value: 42 });
    expect(tried).toBe(1);
    expect(cache.databaseDown).toBe(false);
  });

  it('passes on errors that are not an outage, and serves no stale value for them', async () => {
    const cache = new LastGood<number>({ max: 10 });
    await cache.read('k', now(pool));
    await expect(cache.read('k', async () => (await pool.query('SELEC 1')).rowCount!)).rejects.toThrow(
      /syntax/,
    );
  });

  it('keeps the most recently read entries up to its size, and forgets on demand', async () => {
    const cache = new LastGood<number>({ max: 2 });
    for (const key of ['a', 'b', 'a', 'c']) await cache.read(key, now(pool));
    expect(cache.size).toBe(2);
    await expect(cache.read('b', now(closed))).rejects.toSatisfy(isDbUnreachable);
    cache.forget('a');
    expect(cache.size).toBe(1);
    await expect(cache.read('a', now(closed))).rejects.toSatisfy(isDbUnreachable);
    expect((await cache.read('c', now(closed))).value).toBe(42);
  });

  it('answers a value read within freshForMs without asking the database, then asks again', async () => {
    let clock = 0;
    const cache = new LastGood<number>({ max: 10, freshForMs: 1_000, now: () => clock });
    let loads = 0;
    const load = async () => ++loads;
    expect((await cache.read('k', load)).value).toBe(1);
    clock = 999;
    expect(await cache.read('k', load)).toEqual({ value: 1 });
    clock = 1_000;
    expect((await cache.read('k', load)).value).toBe(2);
    cache.forget('k');
    expect((await cache.read('k', load)).value).toBe(3);
  });
});

describe('markStale', () => {
  it('sets X-Data-Stale, Warning and Age on a stale answer only', async () => {
    const app = Fastify();
    app.get('/fresh', async (_req, reply) => {
      markStale(reply, { value: 1 });
      return { ok: true };
    });
    app.get('/stale', async (_req, reply) => {
      markStale(reply, { value: 1, staleSince: new Date(Date.now() - 3_000) });
      return { ok: true };
    });
    const fresh = await app.inject('/fresh');
    expect(fresh.headers['x-data-stale']).toBeUndefined();
    const stale = await app.inject('/stale');
    expect(stale.headers['x-data-stale']).toBe('true');
    expect(stale.headers.warning).toBe('110 - "Response is Stale"');
    expect(Number(stale.headers.age)).toBeGreaterThanOrEqual(2);
    await app.close();
  });
});
