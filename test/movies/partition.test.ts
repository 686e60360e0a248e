import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/platform/db/embedded.js';
import { createLogger } from '../../src/platform/logger.js';
import { freePort } from '../../src/platform/net.js';
import { startRuntime, type Runtime } from '../../src/platform/runtime.js';
import { movies } from '../../src/services/movies/index.js';
import { waitFor } from '../tracking/fixtures.js';

// A PostgreSQL of this file's own, on a fixed port, so it can be stopped and started again under
// a running server: the CAP choice (AP) of docs/movies.md, seen from a client.
// The outage is expected here: the pools' and the job queue's complaints about it are not news.
const log = createLogger('fatal');
let dir: string;
let port: number;
let database: EmbeddedPostgres | undefined;
let runtime: Runtime;
let url: string;

const call = async (method: string, route: string, body?: unknown) => {
  const res = await fetch(url + route, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-partition-'));
  port = await freePort();
  database = await startEmbeddedPostgres(dir, log, { port });
  const env = { LOG_LEVEL: 'warn', PORT: '0', DATABASE_URL: database.url };
  runtime = await startRuntime({
    config: loadConfig(env),
    log,
    services: [movies],
    version: 'test',
    http: true,
    workers: false,
    env,
  });
  url = await runtime.listen();
}, 120_000);
afterAll(async () => {
  await runtime?.close();
  await database?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('movies while PostgreSQL is down (AP)', () => {
  it('answers reads it made before, marked stale; refuses writes with 503; recovers by itself', async () => {
    const movie = (await call('POST', '/movie', { name: 'Alien', release_year: 1979, genre: 'SciFi' })).body;
    const user = (await call('POST', '/users', { name: 'Ana' })).body;
    const fresh = await call('GET', `/movie/${movie.id}`);
    expect(fresh.headers.get('x-data-stale')).toBeNull();
    await call('GET', '/movie?offset=0&limit=10');
    await call('GET', `/users/${user.id}`);
    const recs = await call('GET', `/users/${user.id}/recommendations`);
    expect(recs.status).toBe(200);

    await database!.stop();
    database = undefined;

    const stale = await call('GET', `/movie/${movie.id}`);
    expect(stale.status).toBe(200);
    expect(stale.body).toEqual(movie);
    expect(stale.headers.get('x-data-stale')).toBe('true');
    expect(stale.headers.get('warning')).toMatch(/^110 /);
    const page = await call('GET', '/movie?offset=0&limit=10');
    expect(page.status).toBe(200);
    expect(page.body).toEqual([movie]);
    expect(page.headers.get('x-data-stale')).toBe('true');
    expect((await call('GET', `/users/${user.id}`)).headers.get('x-data-stale')).toBe('true');
    // Suggestions come from memory either way; they are marked stale once the 1 s sync has not
    // reached PostgreSQL for two periods, and until then answer the same.
    const staleRecs = await waitFor(
      async () => {
        const r = await call('GET', `/users/${user.id}/recommendations`);
        expect(r.status).toBe(200);
        expect(r.body).toEqual(recs.body);
        return r.headers.get('x-data-stale') === 'true' && r;
      },
      'suggestions marked stale',
      10_000,
    );
    expect(staleRecs.headers.get('warning')).toMatch(/^110 /);

    const neverRead = await call('GET', `/movie/${Number(movie.id) + 1000}`);
    expect(neverRead.status).toBe(503);
    expect(neverRead.headers.get('retry-after')).toBe('1');
    const write = await call('POST', '/movie', { name: 'Heat', genre: 'action' });
    expect(write.status).toBe(503);
    expect(write.headers.get('content-type')).toMatch(/problem\+json/);
    expect(write.headers.get('retry-after')).toBe('1');

    database = await startEmbeddedPostgres(dir, log, { port });
    await waitFor(
      async () => (await call('GET', `/movie/${movie.id}`)).headers.get('x-data-stale') === null,
      'a fresh read after the restart',
    );
    expect((await call('POST', '/movie', { name: 'Heat', genre: 'action' })).status).toBe(201);
    expect((await call('GET', '/movie?offset=0&limit=10')).body).toHaveLength(2);
  }, 120_000);
});
