import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { startRuntime, type Runtime } from '../../src/platform/runtime.js';
import { shop } from '../../src/services/shop/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { aCustomer, aDisc, client, type Client } from './client.js';

/** `serve --no-workers` beside a separate worker process: how the queued mode scales out. */
describe('queued orders decided by a separate worker runtime', () => {
  let api: TestApp;
  let worker: Runtime | undefined;
  let http: Client;

  beforeAll(async () => {
    api = await startTestApp([shop], { SHOP_CONCURRENCY: 'queued' }, { workers: false });
    http = client(api.url, 50);
  });
  afterAll(async () => {
    await http?.close();
    await worker?.close();
    await api?.close();
  });

  it('leaves orders pending until a worker runs, then decides them in order', async () => {
    const disc = (await http.post('/discs', aDisc(3))).body;
    const customer = (await http.post('/customers', aCustomer())).body;
    const order = { disc_id: disc.id, customer_id: customer.id, quantity: 1 };
    const placed = [];
    for (let i = 0; i < 5; i++) placed.push(await http.post('/purchase-orders', order));
    expect(placed.map((p) => p.status)).toEqual([202, 202, 202, 202, 202]);
    expect(placed[0]!.body.status).toBe('pending');
    await new Promise((r) => setTimeout(r, 700));
    expect((await http.get(`/discs/${disc.id}/stock`)).body).toMatchObject({ pending: 5, sold: 0 });

    const env = { DATABASE_URL: api.databaseUrl, LOG_LEVEL: 'warn', SHOP_CONCURRENCY: 'queued' };
    const config = loadConfig(env);
    worker = await startRuntime({
      config,
      log: createLogger('warn'),
      services: [shop],
      version: 'test',
      http: false,
      workers: true,
      env,
    });
    const deadline = Date.now() + 20_000;
    let stock = (await http.get(`/discs/${disc.id}/stock`)).body;
    while (stock.pending > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      stock = (await http.get(`/discs/${disc.id}/stock`)).body;
    }
    expect(stock).toMatchObject({ sold: 3, remaining: 0, pending: 0, consistent: true });
    const decided = await Promise.all(placed.map((p) => http.get(p.headers.location as string)));
    expect(decided.map((d) => d.body.status)).toEqual([
      'confirmed',
      'confirmed',
      'confirmed',
      'rejected',
      'rejected',
    ]);
    expect(decided[3]!.body.reason).toBe('Disc is out of stock');
  });
});
