import type { ScenarioContext } from '../scenario.js';

/** All the data helpers need: a way to send a request (a scenario's context, or a benchmark's). */
export type Api = Pick<ScenarioContext, 'http'>;

export interface HotDisc {
  discId: string;
  customerId: string;
}

/** A disc and a customer made through the API, so a scenario works against any running shop. */
export async function createHotDisc(ctx: Api, quantity: number, label: string): Promise<HotDisc> {
  const disc = await ctx.http('POST', '/discs', {
    name: `Scenario ${label} ${new Date().toISOString()}`,
    artist: 'Crucible',
    year_of_release: 2026,
    genre: 'Load',
    quantity,
  });
  if (disc.status !== 201)
    throw new Error(`could not create the disc: ${disc.status} ${JSON.stringify(disc.body)}`);
  const customer = await ctx.http('POST', '/customers', {
    document: '00000000000',
    name: 'Scenario Buyer',
    birth_date: '1990-01-01',
    email: 'buyer@example.com',
    phone: '+550000000000',
  });
  if (customer.status !== 201) throw new Error(`could not create the customer: ${customer.status}`);
  return { discId: (disc.body as { id: string }).id, customerId: (customer.body as { id: string }).id };
}

export interface Stock {
  initial: number;
  sold: number;
  remaining: number;
  pending: number;
  consistent: boolean;
}

export async function stockOf(ctx: Api, discId: string): Promise<Stock> {
  const res = await ctx.http('GET', `/discs/${discId}/stock`);
  if (res.status !== 200) throw new Error(`stock of ${discId}: ${res.status}`);
  return res.body as Stock;
}

/** Queued orders are decided after the load: wait for the worker before reading the ledger. */
export async function settledStock(ctx: Api, discId: string, timeoutMs = 120_000): Promise<Stock> {
  const deadline = Date.now() + timeoutMs;
  let stock = await stockOf(ctx, discId);
  while (stock.pending > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    stock = await stockOf(ctx, discId);
  }
  return stock;
}

/** A purchase answered correctly: sold (200), queued (202), or honestly refused as sold out. */
export const purchaseIsGood = (status: number, body: string) =>
  status === 200 || status === 202 || (status === 409 && body.includes('out of stock'));

export function purchase(hot: HotDisc) {
  const body = { disc_id: hot.discId, customer_id: hot.customerId, quantity: 1 };
  return () => ({ method: 'POST' as const, path: '/purchase-orders', body });
}

export function countStatuses(byStatus: Record<string, number>, test: (status: number) => boolean): number {
  return Object.entries(byStatus).reduce((sum, [s, n]) => sum + (test(Number(s)) ? n : 0), 0);
}
