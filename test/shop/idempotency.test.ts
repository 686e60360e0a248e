import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shop } from '../../src/services/shop/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { aCustomer, aDisc, client, type Client } from './client.js';

let app: TestApp;
let http: Client;
let customerId: string;

beforeAll(async () => {
  app = await startTestApp([shop]);
  http = client(app.url);
  customerId = (await http.post('/customers', aCustomer())).body.id;
});
afterAll(async () => {
  await http?.close();
  await app?.close();
});

async function newDisc(quantity: number): Promise<string> {
  const answer = await http.post('/discs', aDisc(quantity));
  expect(answer.status).toBe(201);
  return answer.body.id;
}
const purchase = (discId: string, key: string, quantity = 1) =>
  http.post(
    '/purchase-orders',
    { disc_id: discId, customer_id: customerId, quantity },
    { 'idempotency-key': key },
  );
const stockOf = async (discId: string) => (await http.get(`/discs/${discId}/stock`)).body;

describe('Idempotency-Key on POST /purchase-orders', () => {
  it('answers the same order to the same key and body, and sells once', async () => {
    const disc = await newDisc(5);
    const key = randomUUID();

    const first = await purchase(disc, key);
    expect(first.status).toBe(200);
    expect(first.headers['idempotent-replayed']).toBe('false');

    const again = await purchase(disc, key);
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);

    expect(await stockOf(disc)).toMatchObject({ initial: 5, sold: 1, remaining: 4, consistent: true });
  });

  it('recognises the same body whatever the order of its fields', async () => {
    const disc = await newDisc(5);
    const key = randomUUID();
    const first = await purchase(disc, key);
    const reordered = await http.post(
      '/purchase-orders',
      { quantity: 1, customer_id: customerId, disc_id: disc },
      { 'idempotency-key': key },
    );
    expect(reordered.headers['idempotent-replayed']).toBe('true');
    expect(reordered.body.id).toBe(first.body.id);
    expect((await stockOf(disc)).sold).toBe(1);
  });

  it('answers 422 to the same key with another body, and sells nothing more', async () => {
    const disc = await newDisc(5);
    const key = randomUUID();
    expect((await purchase(disc, key, 1)).status).toBe(200);

    const other = await purchase(disc, key, 2);
    expect(other.status).toBe(422);
    expect(other.headers['content-type']).toContain('application/problem+json');
    expect(other.body.detail).toMatch(/Idempotency-Key/);
    expect((await stockOf(disc)).sold).toBe(1);
  });

  it('sells once to 10 concurrent requests with one key; each answer is the order or 409', async () => {
    const disc = await newDisc(5);
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 10 }, () => purchase(disc, key)));

    const statuses = answers.map((a) => a.status);
    expect(
      statuses.every((s) => s === 200 || s === 409),
      JSON.stringify(statuses),
    ).toBe(true);
    const sold = answers.filter((a) => a.status === 200);
    expect(sold.length).toBeGreaterThanOrEqual(1);
    const orderId = sold[0]!.body.id;
    expect(sold.every((a) => a.body.id === orderId)).toBe(true);
    for (const busy of answers.filter((a) => a.status === 409)) {
      expect(busy.headers['content-type']).toContain('application/problem+json');
      expect(busy.body.detail).toMatch(/still being processed/);
    }
    expect(await stockOf(disc)).toMatchObject({ sold: 1, remaining: 4, consistent: true });

    const later = await purchase(disc, key);
    expect(later.status).toBe(200);
    expect(later.headers['idempotent-replayed']).toBe('true');
    expect(later.body.id).toBe(orderId);
    expect((await stockOf(disc)).sold).toBe(1);
  });

  it('replays a refusal too: 409 out of stock stays 409 for that key, even after a restock', async () => {
    const disc = await newDisc(0);
    const key = randomUUID();

    const refused = await purchase(disc, key);
    expect(refused.status).toBe(409);
    expect(refused.headers['idempotent-replayed']).toBe('false');
    expect(refused.body.detail).toBe('Disc is out of stock');

    expect((await http.put(`/discs/${disc}`, { quantity: 3 })).status).toBe(200);
    const replayed = await purchase(disc, key);
    expect(replayed.status).toBe(409);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.headers['content-type']).toContain('application/problem+json');
    expect(replayed.body).toEqual(refused.body);

    // A new key is a new request, and now there is stock.
    expect((await purchase(disc, randomUUID())).status).toBe(200);
    expect(await stockOf(disc)).toMatchObject({ initial: 3, sold: 1, remaining: 2, consistent: true });
  });

  it('does not keep the key of a request that failed validation', async () => {
    const disc = await newDisc(2);
    const key = randomUUID();
    expect((await purchase(disc, key, 0)).status).toBe(422);
    expect((await purchase(disc, key, 1)).status).toBe(200);
  });

  it('answers 400 to a key longer than 255 characters', async () => {
    const answer = await purchase(await newDisc(1), 'k'.repeat(256));
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(answer.body.detail).toMatch(/idempotency-key/);
  });

  it('sends no idempotent-replayed header without a key', async () => {
    const disc = await newDisc(1);
    const answer = await http.post('/purchase-orders', {
      disc_id: disc,
      customer_id: customerId,
      quantity: 1,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['idempotent-replayed']).toBeUndefined();
  });
});
