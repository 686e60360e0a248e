import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shop } from '../../src/services/shop/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { aCustomer, aDisc, client, type Answer, type Client, MISSING, JSON_TYPE } from './client.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const PROBLEM = 'application/problem+json';
const TEXT = { 'content-type': 'text/plain' };
const HUGE = JSON.stringify({ name: 'x'.repeat(1_100_000) });

interface Operation {
  tags?: string[];
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

let app: TestApp;
let http: Client;
let doc: Document;
const f = {} as Record<'disc' | 'soldOut' | 'sold' | 'spare' | 'customer' | 'inactive' | 'order', string>;

beforeAll(async () => {
  app = await startTestApp([shop]);
  http = client(app.url);
  const make = async (path: string, body: unknown) => (await http.post(path, body)).body.id as string;
  f.disc = await make('/discs', aDisc(50));
  f.soldOut = await make('/discs', aDisc(0));
  f.sold = await make('/discs', aDisc(5));
  f.spare = await make('/discs', aDisc(5));
  f.customer = await make('/customers', aCustomer());
  f.inactive = await make('/customers', aCustomer('Gone'));
  await http.put(`/customers/${f.inactive}`, { is_active: false });
  f.order = await make('/purchase-orders', { disc_id: f.sold, customer_id: f.customer, quantity: 1 });
  const answer = await http.get('/openapi.json');
  expect(answer.status).toBe(200);
  doc = answer.body;
});
afterAll(async () => {
  await http?.close();
  await app?.close();
});

/** Every operation of the document, hidden routes (such as /openapi.json itself) being absent. */
function operations(): [string, string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => [path, method, op] as [string, string, Operation]),
  );
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3 document that lists the shop routes and not the hidden ones', () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/discs',
        '/discs/{id}',
        '/discs/{id}/stock',
        '/customers',
        '/purchase-orders',
      ]),
    );
    expect(doc.paths['/openapi.json']).toBeUndefined();
    expect(doc.paths['/metrics']).toBeUndefined();
  });

  it('lists 500 and 503 on every operation, and a 4xx on every shop operation', () => {
    for (const [path, method, op] of operations()) {
      const statuses = Object.keys(op.responses);
      expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(['500', '503']));
      // The platform's /, /health and /ready take no input, so they have no 4xx to list.
      if (op.tags?.some((t) => t.startsWith('shop')))
        expect(
          statuses.some((s) => /^4\d\d$/.test(s)),
          `${method} ${path}`,
        ).toBe(true);
    }
  });

  it('describes every 4xx and 5xx response as application/problem+json', () => {
    for (const [path, method, op] of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400)
          expect(Object.keys(response.content ?? {}), `${method} ${path} ${status}`).toEqual([PROBLEM]);
      }
    }
  });
});

/**
 * Each status the shop tests receive, per route, elicited here again by a real request; the
 * document must list every one of them for that route. The route list must be complete too.
 */
const buy = (body: unknown) => http.post('/purchase-orders', body);
const cases: [method: string, path: string, status: number, request: () => Promise<Answer>][] = [
  ['POST', '/discs', 201, () => http.post('/discs', aDisc(1))],
  ['POST', '/discs', 400, () => http.call('POST', '/discs', '{', JSON_TYPE)],
  ['POST', '/discs', 413, () => http.call('POST', '/discs', HUGE, JSON_TYPE)],
  ['POST', '/discs', 415, () => http.call('POST', '/discs', 'x', TEXT)],
  ['POST', '/discs', 422, () => http.post('/discs', {})],
  ['GET', '/discs', 200, () => http.get('/discs?name=We')],
  ['GET', '/discs', 400, () => http.get('/discs?limit=101')],
  ['GET', '/discs/{id}', 200, () => http.get(`/discs/${f.disc}`)],
  ['GET', '/discs/{id}', 400, () => http.get('/discs/nope')],
  ['GET', '/discs/{id}', 404, () => http.get(`/discs/${MISSING}`)],
  ['PUT', '/discs/{id}', 200, () => http.put(`/discs/${f.disc}`, { genre: 'Jazz' })],
  ['PUT', '/discs/{id}', 400, () => http.put('/discs/nope', { genre: 'Jazz' })],
  ['PUT', '/discs/{id}', 404, () => http.put(`/discs/${MISSING}`, { genre: 'Jazz' })],
  ['PUT', '/discs/{id}', 413, () => http.call('PUT', `/discs/${f.disc}`, HUGE, JSON_TYPE)],
  ['PUT', '/discs/{id}', 415, () => http.call('PUT', `/discs/${f.disc}`, 'x', TEXT)],
  ['PUT', '/discs/{id}', 422, () => http.put(`/discs/${f.disc}`, { quantity: -1 })],
  ['DELETE', '/discs/{id}', 204, () => http.del(`/discs/${f.spare}`)],
  ['DELETE', '/discs/{id}', 400, () => http.del('/discs/nope')],
  ['DELETE', '/discs/{id}', 404, () => http.del(`/discs/${MISSING}`)],
  ['DELETE', '/discs/{id}', 409, () => http.del(`/discs/${f.sold}`)],
  ['GET', '/discs/{id}/stock', 200, () => http.get(`/discs/${f.disc}/stock`)],
  ['GET', '/discs/{id}/stock', 400, () => http.get('/discs/nope/stock')],
  ['GET', '/discs/{id}/stock', 404, () => http.get(`/discs/${MISSING}/stock`)],
  ['POST', '/customers', 201, () => http.post('/customers', aCustomer())],
  ['POST', '/customers', 400, () => http.post('/customers', { ...aCustomer(), birth_date: '0000-01-01' })],
  ['POST', '/customers', 413, () => http.call('POST', '/customers', HUGE, JSON_TYPE)],
  ['POST', '/customers', 415, () => http.call('POST', '/customers', 'x', TEXT)],
  ['POST', '/customers', 422, () => http.post('/customers', { ...aCustomer(), email: 'nope' })],
  ['GET', '/customers/{id}', 200, () => http.get(`/customers/${f.customer}`)],
  ['GET', '/customers/{id}', 400, () => http.get('/customers/nope')],
  ['GET', '/customers/{id}', 404, () => http.get(`/customers/${MISSING}`)],
  ['PUT', '/customers/{id}', 200, () => http.put(`/customers/${f.customer}`, { phone: '123' })],
  ['PUT', '/customers/{id}', 400, () => http.put('/customers/nope', { phone: '123' })],
  ['PUT', '/customers/{id}', 404, () => http.put(`/customers/${MISSING}`, { phone: '123' })],
  ['PUT', '/customers/{id}', 413, () => http.call('PUT', `/customers/${f.customer}`, HUGE, JSON_TYPE)],
  ['PUT', '/customers/{id}', 415, () => http.call('PUT', `/customers/${f.customer}`, 'x', TEXT)],
  ['PUT', '/customers/{id}', 422, () => http.put(`/customers/${f.customer}`, { birth_date: 'yesterday' })],
  ['POST', '/purchase-orders', 200, () => buy({ disc_id: f.disc, customer_id: f.customer, quantity: 1 })],
  ['POST', '/purchase-orders', 403, () => buy({ disc_id: f.disc, customer_id: f.inactive, quantity: 1 })],
  ['POST', '/purchase-orders', 404, () => buy({ disc_id: MISSING, customer_id: f.customer, quantity: 1 })],
  ['POST', '/purchase-orders', 409, () => buy({ disc_id: f.soldOut, customer_id: f.customer, quantity: 1 })],
  ['POST', '/purchase-orders', 422, () => buy({ disc_id: f.disc, customer_id: f.customer, quantity: 0 })],
  ['POST', '/purchase-orders', 400, () => http.call('POST', '/purchase-orders', '{', JSON_TYPE)],
  ['POST', '/purchase-orders', 413, () => http.call('POST', '/purchase-orders', HUGE, JSON_TYPE)],
  ['POST', '/purchase-orders', 415, () => http.call('POST', '/purchase-orders', 'x', TEXT)],
  ['GET', '/purchase-orders/{id}', 200, () => http.get(`/purchase-orders/${f.order}`)],
  ['GET', '/purchase-orders/{id}', 400, () => http.get('/purchase-orders/nope')],
  ['GET', '/purchase-orders/{id}', 404, () => http.get(`/purchase-orders/${MISSING}`)],
  ['GET', '/purchase-orders', 200, () => http.get(`/purchase-orders?disc_id=${f.sold}`)],
  ['GET', '/purchase-orders', 400, () => http.get('/purchase-orders?from=yesterday')],
];

describe('the document lists every status the shop answers', () => {
  it.each(cases)('%s %s answers %i, which the document lists', async (method, path, status, request) => {
    const answer = await request();
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    if (status >= 400) expect(answer.headers['content-type']).toContain(PROBLEM);
    expect(Object.keys(doc.paths[path]?.[method.toLowerCase()]?.responses ?? {})).toContain(String(status));
  });

  it('lists 202 for POST /purchase-orders, the answer of queued mode (tested in orders.routes.test.ts)', () => {
    expect(doc.paths['/purchase-orders']?.post?.responses['202']).toBeDefined();
  });

  it('covers every shop operation of the document', () => {
    const shopOps = operations()
      .filter(([, , op]) => op.tags?.some((t) => t.startsWith('shop')))
      .map(([path, method]) => `${method.toUpperCase()} ${path}`);
    expect(new Set(cases.map(([method, path]) => `${method} ${path}`))).toEqual(new Set(shopOps));
  });
});

describe('documentation pages', () => {
  /** GET, following redirects as a browser would. */
  async function browse(path: string): Promise<Answer> {
    let answer = await http.get(path);
    for (let hops = 0; answer.status >= 300 && answer.status < 400 && hops < 5; hops++) {
      answer = await http.get(new URL(String(answer.headers.location), new URL(path, app.url)).pathname);
    }
    return answer;
  }

  it('serves Swagger UI at /docs', async () => {
    const answer = await browse('/docs');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toContain('text/html');
    expect(answer.body).toMatch(/swagger-ui/i);
  });

  it('serves ReDoc at /redoc, reading /openapi.json', async () => {
    const answer = await browse('/redoc');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toContain('text/html');
    expect(answer.body).toMatch(/<redoc spec-url="\/openapi.json">/);
  });
});
