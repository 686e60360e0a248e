import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shop } from '../../src/services/shop/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { aCustomer, aDisc, client, type Client } from './client.js';

/** The group-commit mode decides a crowd of orders in one statement: it must decide each alone. */
describe('grouped mode', () => {
  let app: TestApp;
  let http: Client;

  beforeAll(async () => {
    app = await startTestApp([shop], { SHOP_CONCURRENCY: 'grouped' });
    http = client(app.url, 64);
  });
  afterAll(async () => {
    await http?.close();
    await app?.close();
  });

  it('refuses an order only when it does not fit what is left, whatever its group held', async () => {
    const disc = (await http.post('/discs', aDisc(3))).body;
    const customer = (await http.post('/customers', aCustomer())).body;
    const quantities = [5, 1, 2, 1, 1, 2];
    const answers = await Promise.all(
      quantities.map((quantity) =>
        http.post('/purchase-orders', { disc_id: disc.id, customer_id: customer.id, quantity }),
      ),
    );
    const stock = (await http.get(`/discs/${disc.id}/stock`)).body;
    const sold = answers.reduce((sum, a, i) => sum + (a.status === 200 ? quantities[i]! : 0), 0);
    expect(stock).toMatchObject({ sold, remaining: 3 - sold, consistent: true });
    answers.forEach((a, i) => {
      expect([200, 409]).toContain(a.status);
      if (a.status === 409) expect(quantities[i]).toBeGreaterThan(stock.remaining);
    });
    expect(answers[0]!.status).toBe(409);
  });

  it('answers each order of a group for its own customer: unknown 404, inactive 403', async () => {
    const disc = (await http.post('/discs', aDisc(10))).body;
    const active = (await http.post('/customers', aCustomer('Ana'))).body;
    const inactive = (await http.post('/customers', aCustomer('Bia'))).body;
    await http.put(`/customers/${inactive.id}`, { is_active: false });
    const order = (customer_id: string) => ({ disc_id: disc.id, customer_id, quantity: 1 });
    const [ok, forbidden, unknown, noDisc] = await Promise.all([
      http.post('/purchase-orders', order(active.id)),
      http.post('/purchase-orders', order(inactive.id)),
      http.post('/purchase-orders', order('00000000-0000-4000-8000-000000000000')),
      http.post('/purchase-orders', { ...order(active.id), disc_id: '00000000-0000-4000-8000-000000000001' }),
    ]);
    expect(ok!.status).toBe(200);
    expect(ok!.body.disc.quantity).toBe(9);
    expect(forbidden!.status).toBe(403);
    expect(unknown!.body.detail).toBe('Customer not found');
    expect(noDisc!.body.detail).toBe('Disc not found');
  });

  it('keeps Idempotency-Key working beside the groups', async () => {
    const disc = (await http.post('/discs', aDisc(5))).body;
    const customer = (await http.post('/customers', aCustomer())).body;
    const body = { disc_id: disc.id, customer_id: customer.id, quantity: 2 };
    const first = await http.post('/purchase-orders', body, { 'idempotency-key': 'grouped-1' });
    const again = await http.post('/purchase-orders', body, { 'idempotency-key': 'grouped-1' });
    expect(again.body.id).toBe(first.body.id);
    expect((await http.get(`/discs/${disc.id}/stock`)).body).toMatchObject({ sold: 2, consistent: true });
  });
});
