import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES } from '../../src/services/registry.js';
import { startTestApp, testPool, type TestApp } from '../helpers.js';
import { fingerprint } from './fingerprint.js';
import { send, type RawRequest, type RawResponse } from './raw-http.js';
import { casesFor, operations, resolver, type Case, type Operation } from './variants.js';

// Every mounted service, from the registry: a service that lands is swept with no list to edit.
const SEED = 20261206;
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let app: TestApp;
let port: number;
let pool: ReturnType<typeof testPool>;
let dataDir: string;
let ops: Operation[];
let cases: Case[];

beforeAll(async () => {
  // No workers: nothing but the sweep's own requests may change what the product holds.
  app = await startTestApp(SERVICES, {}, { workers: false });
  port = Number(new URL(app.url).port);
  pool = testPool(app.databaseUrl, 2);
  dataDir = app.dataDir;
  const doc = (await (await fetch(`${app.url}/openapi.json`)).json()) as Parameters<typeof operations>[0];
  ops = operations(doc);
  const resolve = resolver(doc);
  // A resource of each collection that creates them, so that `{id}` names one that exists and a
  // refused PUT, PATCH or DELETE has something to leave alone.
  const ids = new Map<string, string>();
  for (const op of ops.filter((o) => o.method === 'POST' && o.body?.type === 'application/json')) {
    const { sample } = await import('./sample.js');
    const answer = await fetch(`${app.url}${op.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(sample(op.body!.schema, resolve)),
    });
    const id = ((await answer.json()) as { id?: unknown }).id;
    if (answer.ok && typeof id === 'string') ids.set(op.path.replace(/\/$/, ''), id);
  }
  cases = ops.flatMap((op) => casesFor(op, { resolve, ids, seed: SEED }));
});

afterAll(async () => {
  await pool?.end();
  await app?.close();
});

function describeAnswer(c: Case, answer: RawResponse): string {
  return `${c.op.method} ${c.op.path} — ${c.name}: ${answer.status} ${answer.body.subarray(0, 300).toString()}`;
}

/** What is wrong with one answer, or nothing. */
function fault(c: Case, answer: RawResponse): string | undefined {
  if (answer.status >= 500) return 'a server error';
  if (c.mustRefuse && answer.status < 400) return 'taken, where only a refusal is right';
  if (answer.status >= 400) {
    if (!/^application\/problem\+json/.test(answer.headers['content-type'] ?? '')) return 'not problem+json';
    let detail: unknown;
    try {
      detail = (JSON.parse(answer.body.toString()) as { detail?: unknown }).detail;
    } catch {
      return 'a problem body that is not JSON';
    }
    if (typeof detail !== 'string' || !detail.trim()) return 'a problem without a detail';
  }
  if (!c.op.statuses.has(answer.status)) return `status ${answer.status} not in the OpenAPI document`;
  return undefined;
}

describe('every route, swept with malformed input from its own OpenAPI document', () => {
  it('answers GET /tracking/interactions?campaign_id=%00 with a 400 problem', async () => {
    const answer = await send(port, {
      method: 'GET',
      target: '/tracking/interactions?campaign_id=%00',
      headers: [],
    });
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.body.toString()).detail).toMatch(/campaign_id|NUL/i);
  });

  it('covers every operation of every mounted service', () => {
    const swept = new Set(cases.map((c) => `${c.op.method} ${c.op.path}`));
    expect(swept.size).toBe(ops.length);
    for (const service of SERVICES) expect(ops.length, service.name).toBeGreaterThan(0);
    expect(cases.length).toBeGreaterThan(1000);
  });

  it('never fails, answers a refusal as problem+json with a detail and a documented status, and a refused write changes nothing', async () => {
    const faults: string[] = [];
    let before = await fingerprint(pool, dataDir);
    for (const c of cases) {
      const answer = await send(port, c.request as RawRequest);
      const wrong = fault(c, answer);
      if (wrong) faults.push(`${wrong}: ${describeAnswer(c, answer)}`);
      if (!WRITES.has(c.op.method)) continue;
      const after = await fingerprint(pool, dataDir);
      if (answer.status >= 400 && after !== before)
        faults.push(`a refused write changed data: ${describeAnswer(c, answer)}`);
      before = after;
    }
    expect(faults.slice(0, 40), `${faults.length} faults of ${cases.length} requests`).toEqual([]);
  }, 120_000);
});
