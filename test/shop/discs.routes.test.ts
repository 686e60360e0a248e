import { afterAll, beforeAll, it } from 'vitest';
import { shop } from '../../src/services/shop/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { aCustomer, aDisc, client, type Client } from './client.js';

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

it('probe', async () => {
  const show = (l: string, a: { status: number; body: unknown; headers: Record<string, unknown> }) =>
    console.log(l, a.status, a.headers['content-type'], JSON.stringify(a.body).slice(0, 300));
  const disc = (await http.post('/discs', aDisc(5))).body;
  const cust = (await http.post('/customers', aCustomer())).body;
  show('extra', await http.post('/purchase-orders', { disc_id: disc.id, customer_id: cust.id, quantity: 1, foo: 1 }));
  show('extra disc', await http.post('/discs', { ...aDisc(1), foo: 1 }));
  show('extra put', await http.put(`/discs/${disc.id}`, { foo: 1 }));
  show('extra cust', await http.post('/customers', { ...aCustomer(), foo: 1 }));
  show('cust date big', await http.post('/customers', { ...aCustomer(), birth_date: '99999-01-01' }));
  show('qty str', await http.post('/purchase-orders', { disc_id: disc.id, customer_id: cust.id, quantity: '1' }));
  show('qty float', await http.post('/purchase-orders', { disc_id: disc.id, customer_id: cust.id, quantity: 1.5 }));
  show('qty bool', await http.post('/purchase-orders', { disc_id: disc.id, customer_id: cust.id, quantity: true }));
  show('id num', await http.post('/purchase-orders', { disc_id: 5, customer_id: cust.id, quantity: 1 }));
  show('unicode q', await http.get('/discs?name=%00'));
  show('unicode path', await http.get('/discs/%00'));
  show('purchase nul', await http.get('/purchase-orders?status=%00'));
  show('year str', await http.post('/discs', { ...aDisc(1), year_of_release: '2020' }));
  show('bool active str', await http.put(`/customers/${cust.id}`, { is_active: 'false' }));
  show('big json', await http.post('/discs', JSON.stringify({ ...aDisc(1), name: 'x'.repeat(2_000_000) })));
  show('o', await http.post('/purchase-orders', { disc_id: disc.id, customer_id: cust.id, quantity: 1 }));
  show('stock', await http.get(`/discs/${disc.id}/stock`));
});
