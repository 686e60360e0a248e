import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shop } from '../../src/services/shop/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { aCustomer, aDisc, client, type Client } from './client.js';

const STOCK = 500;
const BUYERS = 1000;

async function waitUntilDecided(http: Client, discId: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const stock = await http.get(`/discs/${discId}/stock`);
    if (stock.body.pending === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('queued orders were not all decided within 60 s');
}

describe.each(['atomic', 'pessimistic', 'optimistic', 'queued', 'grouped', 'breaker'])(
  '%s mode under 1,000 concurrent buyers',
  (mode) => {
    let app: TestApp;
    let http: Client;

    beforeAll(async () => {
      // What is tested here is concurrency control, not load shedding: a test runner starved of CPU
      // must not turn into 503s (shedding has its own test and scenario).
      app = await startTestApp([shop], { SHOP_CONCURRENCY: mode, MAX_EVENT_LOOP_DELAY_MS: '0' });
      http = client(app.url, BUYERS);
    });
    afterAll(async () => {
      await http?.close();
      await app?.close();
    });

    it(`sells exactly ${STOCK} copies of a disc of ${STOCK} and refuses the rest`, async () => {
      const disc = (await http.post('/discs', aDisc(STOCK))).body;
      const customer = (await http.post('/customers', aCustomer())).body;
      const order = { disc_id: disc.id, customer_id: customer.id, quantity: 1 };

      const answers = await Promise.all(
        Array.from({ length: BUYERS }, () => http.post('/purchase-orders', order)),
      );
      const byStatus = new Map<number, number>();
      for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
      const failed = answers.find((a) => a.status >= 500);
      expect(failed?.body, `${mode}: ${JSON.stringify([...byStatus])}`).toBeUndefined();

      if (mode === 'queued' || mode === 'breaker') {
        // queued answers 202 for all; the breaker sells at once (200) while the lock comes quickly.
        const allowed = mode === 'queued' ? [202, 409] : [200, 202, 409];
        expect([...byStatus.keys()].every((s) => allowed.includes(s))).toBe(true);
        await waitUntilDecided(http, disc.id);
        const accepted = answers.filter((a) => a.status === 202);
        const decided = await Promise.all(accepted.map((a) => http.get(a.headers.location as string)));
        const confirmed = decided.filter((d) => d.body.status === 'confirmed').length;
        const rejected = decided.filter((d) => d.body.status === 'rejected').length;
        expect(confirmed + (byStatus.get(200) ?? 0)).toBe(STOCK);
        expect(rejected + (byStatus.get(409) ?? 0)).toBe(BUYERS - STOCK);
      } else {
        expect(byStatus.get(200)).toBe(STOCK);
        expect(byStatus.get(409)).toBe(BUYERS - STOCK);
        const refused = answers.find((a) => a.status === 409)!;
        expect(refused.headers['content-type']).toContain('application/problem+json');
        expect(refused.body.detail).toBe('Disc is out of stock');
      }

      const stock = (await http.get(`/discs/${disc.id}/stock`)).body;
      expect(stock).toEqual({
        disc_id: disc.id,
        initial: STOCK,
        sold: STOCK,
        remaining: 0,
        pending: 0,
        consistent: true,
      });
      expect((await http.get(`/discs/${disc.id}`)).body.quantity).toBe(0);
    });
  },
);
