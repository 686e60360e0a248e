import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shop } from '../../src/services/shop/index.js';
import { startTestApp, type TestApp, testService } from '../helpers.js';
import { client, type Client } from '../shop/client.js';

describe('the platform app', () => {
  let app: TestApp;
  let http: Client;

  beforeAll(async () => {
    app = await startTestApp([shop]);
    http = client(app.url);
  });
  afterAll(async () => {
    await http?.close();
    await app?.close();
  });

  it('answers /health and /ready', async () => {
    expect(await http.get('/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await http.get('/ready')).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('gives every answer a request id, and keeps a sane one it was given', async () => {
    const fresh = await http.get('/health');
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const given = await http.call('GET', '/health', undefined, { 'x-request-id': 'trace-42' });
    expect(given.headers['x-request-id']).toBe('trace-42');
    const hostile = await http.call('GET', '/health', undefined, { 'x-request-id': 'bad id with spaces' });
    expect(hostile.headers['x-request-id']).not.toBe('bad id with spaces');
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await http.get('/nowhere?x=1');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 404, detail: 'No route for GET /nowhere' });
  });

  it('lists the services at / as JSON, and as HTML for a browser', async () => {
    const json = await http.get('/');
    expect(json.body.services.map((s: { name: string }) => s.name)).toEqual(['shop']);
    const html = await http.call('GET', '/', undefined, { accept: 'text/html' });
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain('Record shop');
  });

  it('exposes Prometheus metrics: request durations by route and pool gauges', async () => {
    await http.get('/discs/00000000-0000-4000-8000-000000000000');
    const res = await http.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.body).toMatch(
      /http_request_duration_seconds_bucket\{[^}]*route="\/discs\/:id"[^}]*status_code="404"/,
    );
    expect(res.body).toMatch(/db_pool_connections_total \d+/);
    expect(res.body).toMatch(/db_pool_waiting_requests \d+/);
  });

  it('serves the OpenAPI document, Swagger UI and ReDoc', async () => {
    const doc = await http.get('/openapi.json');
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(doc.body.paths['/health'].get.responses['503']).toBeDefined();
    const docs = await http.get('/docs/');
    expect(docs.status).toBe(200);
    expect(String(docs.body)).toContain('swagger');
    const redoc = await http.get('/redoc');
    expect(String(redoc.body)).toContain('<redoc spec-url="/openapi.json">');
  });

  it('loads nothing from outside: every script and stylesheet of its pages is its own', async () => {
    for (const page of ['/', '/docs/', '/redoc']) {
      const html = String((await http.get(page)).body);
      const links = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      expect(
        links.filter((link) => /^(https?:)?\/\//.test(link)),
        page,
      ).toEqual([]);
    }
    const bundle = await http.get('/redoc/redoc.standalone.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers['content-type']).toContain('javascript');
    expect(String(bundle.body).length).toBeGreaterThan(100_000);
  });
});

describe('load shedding', () => {
  let app: TestApp;
  let http: Client;

  beforeAll(async () => {
    // A pool of one connection and a queue of one: the third concurrent query is shed.
    app = await startTestApp([shop], { DB_POOL_SIZE: '1', MAX_DB_WAITING: '1' });
    http = client(app.url, 50);
  });
  afterAll(async () => {
    await http?.close();
    await app?.close();
  });

  it('answers 503 problem+json with Retry-After instead of queueing without bound', async () => {
    // The only connection is taken while the burst arrives: on a slow machine 50 quick queries
    // could otherwise each finish before the next came in, and none would ever queue.
    const held = await app.runtime.database.pool.connect();
    let released = false;
    const release = () => {
      if (!released) held.release();
      released = true;
    };
    setTimeout(release, 500);
    const answers = await Promise.all(Array.from({ length: 50 }, () => http.get('/discs?name=x')));
    release();
    const shed = answers.filter((a) => a.status === 503);
    expect(shed.length).toBeGreaterThan(0);
    expect(answers.every((a) => a.status === 200 || a.status === 503)).toBe(true);
    expect(shed[0]!.headers['retry-after']).toBe('1');
    expect(shed[0]!.headers['content-type']).toContain('application/problem+json');
    expect(shed[0]!.body.detail).toContain('overloaded');
    // Liveness is never shed.
    expect((await http.get('/health')).status).toBe(200);
  });
});

describe('the client address behind a proxy', () => {
  const echo = testService('ipdemo', async (app) => {
    app.get('/ip', async (request) => ({ ip: request.ip }));
  });
  const seen = async (env: Record<string, string>) => {
    const app = await startTestApp([echo], env, { workers: false });
    const http = client(app.url);
    try {
      return (await http.call('GET', '/ip', undefined, { 'x-forwarded-for': '203.0.113.7' })).body.ip;
    } finally {
      await http.close();
      await app.close();
    }
  };

  it('ignores X-Forwarded-For by default, as any client could send it', async () => {
    expect(await seen({})).toBe('127.0.0.1');
  });

  it('believes it from a trusted proxy', async () => {
    expect(await seen({ TRUST_PROXY: '127.0.0.1' })).toBe('203.0.113.7');
    expect(await seen({ TRUST_PROXY: '1' })).toBe('203.0.113.7');
    expect(await seen({ TRUST_PROXY: '10.0.0.0/8' })).toBe('127.0.0.1');
  });
});
