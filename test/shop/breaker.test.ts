import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shop } from '../../src/services/shop/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { aCustomer, aDisc, client, type Client } from './client.js';

/** The seed's circuit breaker: sell at once when the lock comes quickly, queue the order when not. */
describe('breaker mode', () => {
  let app: TestApp;
  let http: Client;

  beforeAll(async () => {
    app = await startTestApp([shop], { SHOP_CONCURRENCY: 'breaker' });
    http = client(app.url);
  });
  afterAll(async () => {
    await http?.close();
    await app?.close();
  });

  it('sells at once (200) while the row is free, queues (202) while it is held, and decides later', async () => {
    const disc = (await http.post('/discs', aDisc(2))).body;
    const customer = (await http.post('/customers', aCustomer())).body;
    const order = { disc_id: disc.id, customer_id: customer.id, quantity: 1 };
    const now = await http.post('/purchase-orders', order);
    expect(now.status).toBe(200);
    expect(now.body.status).toBe('confirmed');

    // Someone holds the disc's row lock, as a purchase in flight does (FOR NO KEY UPDATE), for
    // longer than the breaker waits.
    const holder = new pg.Client({ connectionString: app.databaseUrl });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT quantity FROM shop.discs WHERE id = $1 FOR NO KEY UPDATE', [disc.id]);
    const queued = await http.post('/purchase-orders', order);
    await holder.query('COMMIT');
    await holder.end();
    expect(queued.status).toBe(202);
    expect(queued.headers.location).toBe(`/purchase-orders/${queued.body.id}`);
    expect(queued.body.status).toBe('pending');

    const deadline = Date.now() + 20_000;
    let decided = (await http.get(queued.headers.location as string)).body;
    while (decided.status === 'pending' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      decided = (await http.get(queued.headers.location as string)).body;
    }
    expect(decided.status).toBe('confirmed');
    expect((await http.get(`/discs/${disc.id}/stock`)).body).toMatchObject({
      sold: 2,
      remaining: 0,
      consistent: true,
    });
    expect((await http.post('/purchase-orders', order)).status).toBe(409);
  });
});
