import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusUnavailableError } from '../../src/platform/events/events.js';
import { tracking } from '../../src/services/tracking/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { anInteraction, client, drained, JSON_TYPE, MISSING, type Answer, type Client } from './fixtures.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const PROBLEM = 'application/problem+json';
const TEXT = { 'content-type': 'text/plain' };
const HUGE = JSON.stringify({ name: 'x'.repeat(1_100_000) });
const HUGE_BATCH = JSON.stringify([{ pad: 'x'.repeat(4_300_000) }]);

interface Operation {
  tags?: string[];
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

let app: TestApp;
let http: Client;
let doc: Document;
const f = {} as Record<'interaction' | 'affiliate', string>;

beforeAll(async () => {
  app = await startTestApp([tracking]);
  http = client(app.url);
  f.interaction = (await http.post('/tracking/interactions', anInteraction())).body.interaction_id;
  f.affiliate = (await http.post('/affiliates', { name: 'Ana' })).body.id;
  await drained(app);
  doc = (await http.get('/openapi.json')).body;
});
afterAll(async () => {
  await http?.close();
  await app?.close();
});

const tracked = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method, op]) => METHODS.includes(method) && op.tags?.some((t) => t.startsWith('tracking')))
      .map(([method, op]) => [path, method, op] as [string, string, Operation]),
  );

/** Makes the broker refuse publishes for one request. */
async function brokerDown(request: () => Promise<Answer>): Promise<Answer> {
  const hold = app.runtime.events.publish;
  app.runtime.events.publish = async () => {
    throw new BusUnavailableError('down');
  };
  try {
    return await request();
  } finally {
    app.runtime.events.publish = hold;
  }
}

async function healthDown(): Promise<Answer> {
  const hold = app.runtime.events.health;
  app.runtime.events.health = async () => ({ ok: false, detail: 'down' });
  try {
    return await http.get('/tracking/health');
  } finally {
    app.runtime.events.health = hold;
  }
}

const one = () => anInteraction();
const post = (path: string, body: unknown) => http.post(path, body);
const raw = (method: string, path: string, body: string, headers = JSON_TYPE) =>
  http.call(method, path, body, headers);
const patch = (id: string, body: unknown) => http.call('PATCH', `/affiliates/${id}`, body);
const I = '/tracking/interactions';

const cases: [method: string, path: string, status: number, request: () => Promise<Answer>][] = [
  ['GET', '/tracking/health', 200, () => http.get('/tracking/health')],
  ['GET', '/tracking/health', 503, healthDown],
  ['POST', I, 202, () => post(I, one())],
  ['POST', I, 400, () => post(I, { ...one(), interaction_type: 'x' })],
  ['POST', I, 413, () => raw('POST', I, HUGE)],
  ['POST', I, 415, () => raw('POST', I, 'x', TEXT)],
  ['POST', I, 503, () => brokerDown(() => post(I, one()))],
  ['POST', `${I}/batch`, 202, () => post(`${I}/batch`, [one()])],
  ['POST', `${I}/batch`, 400, () => post(`${I}/batch`, [])],
  ['POST', `${I}/batch`, 413, () => raw('POST', `${I}/batch`, HUGE_BATCH)],
  ['POST', `${I}/batch`, 415, () => raw('POST', `${I}/batch`, 'x', TEXT)],
  ['POST', `${I}/batch`, 503, () => brokerDown(() => post(`${I}/batch`, [one()]))],
  ['GET', I, 200, () => http.get(`${I}?limit=1`)],
  ['GET', I, 400, () => http.get(`${I}?cursor=nope`)],
  ['GET', `${I}/{id}`, 200, () => http.get(`${I}/${f.interaction}`)],
  ['GET', `${I}/{id}`, 400, () => http.get(`${I}/nope`)],
  ['GET', `${I}/{id}`, 404, () => http.get(`${I}/${MISSING}`)],
  ['GET', '/tracking/stats/daily', 200, () => http.get('/tracking/stats/daily')],
  ['GET', '/tracking/stats/daily', 400, () => http.get('/tracking/stats/daily?from=nope')],
  ['GET', '/affiliates/', 200, () => http.get('/affiliates/')],
  ['GET', '/affiliates/', 400, () => http.get('/affiliates/?limit=0')],
  ['GET', '/affiliates', 200, () => http.get('/affiliates')],
  ['GET', '/affiliates', 400, () => http.get('/affiliates?limit=0')],
  ['POST', '/affiliates', 201, () => post('/affiliates', { name: 'Bo' })],
  ['POST', '/affiliates', 400, () => post('/affiliates', { name: 'B' })],
  ['POST', '/affiliates', 413, () => raw('POST', '/affiliates', HUGE)],
  ['POST', '/affiliates', 415, () => raw('POST', '/affiliates', 'x', TEXT)],
  ['POST', '/affiliates/', 201, () => post('/affiliates/', { name: 'Bo' })],
  ['POST', '/affiliates/', 400, () => post('/affiliates/', {})],
  ['POST', '/affiliates/', 413, () => raw('POST', '/affiliates/', HUGE)],
  ['POST', '/affiliates/', 415, () => raw('POST', '/affiliates/', 'x', TEXT)],
  ['GET', '/affiliates/{id}', 200, () => http.get(`/affiliates/${f.affiliate}`)],
  ['GET', '/affiliates/{id}', 400, () => http.get('/affiliates/nope')],
  ['GET', '/affiliates/{id}', 404, () => http.get(`/affiliates/${MISSING}`)],
  ['PATCH', '/affiliates/{id}', 200, () => patch(f.affiliate, { name: 'Ana María' })],
  ['PATCH', '/affiliates/{id}', 400, () => patch(f.affiliate, { name: '' })],
  ['PATCH', '/affiliates/{id}', 404, () => patch(MISSING, { name: 'Ana' })],
  ['PATCH', '/affiliates/{id}', 413, () => raw('PATCH', `/affiliates/${f.affiliate}`, HUGE)],
  ['PATCH', '/affiliates/{id}', 415, () => raw('PATCH', `/affiliates/${f.affiliate}`, 'x', TEXT)],
];

describe('the OpenAPI document of tracking', () => {
  it.each(cases)('%s %s answers %i, which the document lists', async (method, path, status, request) => {
    const answer = await request();
    expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(status);
    if (status >= 400) expect(answer.headers['content-type']).toContain(PROBLEM);
    expect(Object.keys(doc.paths[path]?.[method.toLowerCase()]?.responses ?? {})).toContain(String(status));
  });

  it('covers every tracking operation of the document', () => {
    const ops = tracked().map(([path, method]) => `${method.toUpperCase()} ${path}`);
    expect(new Set(cases.map(([method, path]) => `${method} ${path}`))).toEqual(new Set(ops));
  });

  it('describes every 4xx and 5xx as application/problem+json, and 500 and 503 everywhere', () => {
    for (const [path, method, op] of tracked()) {
      expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['500', '503']));
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400)
          expect(Object.keys(response.content ?? {}), `${method} ${path} ${status}`).toEqual([PROBLEM]);
      }
    }
  });

  it('tells a client what to do with a 503 of the intake: retry with the same Idempotency-Key', () => {
    for (const path of [I, `${I}/batch`]) {
      const response = doc.paths[path]!.post!.responses['503'] as { description?: string };
      expect(response.description, path).toMatch(/may be stored.*same Idempotency-Key/);
    }
  });

  it('documents the errors array of a refused batch', async () => {
    const answer = await post(`${I}/batch`, [one(), { ...one(), campaign_id: '' }]);
    expect(answer.body.errors).toEqual([{ index: 1, detail: 'Campaign ID cannot be empty' }]);
    const schema = doc.paths[`${I}/batch`]!.post!.responses['400']!.content![PROBLEM] as {
      schema: { properties: Record<string, unknown> };
    };
    expect(Object.keys(schema.schema.properties)).toEqual(expect.arrayContaining(['detail', 'errors']));
  });
});
