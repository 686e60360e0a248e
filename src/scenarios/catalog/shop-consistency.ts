import type { Workload } from '../model.js';
import type { Scenario, Size } from '../scenario.js';
import { countStatuses, createHotDisc, purchase, purchaseIsGood, settledStock } from './shop-data.js';

const STOCK: Record<Size, number> = { full: 500, smoke: 50 };

const WORKLOAD: Record<Size, Workload> = {
  // The seed's own test: siege -d1 -c90 -t120s (90 clients, each waiting 0–1 s between requests).
  full: { model: 'closed', users: 90, durationS: 120, thinkMs: [0, 1000] },
  smoke: { model: 'closed', users: 20, durationS: 3, thinkMs: [0, 50] },
};

/** The seed's stress test, per concurrency mode: never oversell, never fail a customer. */
export function shopConsistency(mode?: string): Scenario {
  const concurrency = mode ?? 'atomic';
  return {
    name: mode ? `shop.consistency.${mode}` : 'shop.consistency',
    title: `Promotion rush on one disc never oversells (${concurrency} mode)`,
    description:
      `The original's siege test: 90 clients buy one copy each of a disc of 500 for 120 s, with 0–1 s of think time. ` +
      `The shop runs with SHOP_CONCURRENCY=${concurrency}.`,
    sixParts: {
      source: '90 concurrent customers (closed model, like siege -c90 -d1)',
      stimulus: 'POST /purchase-orders of one copy each, far more orders than copies',
      environment: `normal operation, one shop process on an embedded PostgreSQL, ${concurrency} mode`,
      artifact: 'shop purchase path and its stock ledger',
      response: 'sell each copy exactly once; refuse the rest with 409 "Disc is out of stock"; never a 5xx',
      responseMeasure:
        'sold = stock, ledger consistent, 0 server errors, 0 wrong answers; mean response under the original 1.81 s',
    },
    expectedRefusals: [409],
    availabilityDefinition:
      'good = 200 (sold), 202 (queued) or 409 "out of stock" (a correct refusal); every other status or no answer ' +
      'within 10 s is bad; valid = every request sent while the generator kept up.',
    seedFigure: '90 clients × 120 s: 47.94 req/s, mean 1.81 s, 500 sold, 0 failed',
    serverEnv: { SHOP_CONCURRENCY: concurrency },
    workload: (size) => WORKLOAD[size],
    headline: 'sold',
    criteria: (size) => [
      `sold == ${STOCK[size]}`,
      'consistent == 1',
      'server_errors == 0',
      'error_rate == 0',
      ...(size === 'full' ? ['mean < 1810ms', 'rps > 47.94'] : []),
    ],
    async run(ctx) {
      const stock = STOCK[ctx.size];
      const hot = await createHotDisc(ctx, stock, `consistency ${concurrency}`);
      ctx.log(`disc ${hot.discId} with ${stock} copies`);
      const result = await ctx.load(
        { workload: WORKLOAD[ctx.size], request: purchase(hot), isGood: purchaseIsGood },
        'purchases',
      );
      const ledger = await settledStock(ctx, hot.discId);
      ctx.log(`ledger: initial ${ledger.initial}, sold ${ledger.sold}, remaining ${ledger.remaining}`);
      return {
        result,
        measures: {
          sold: ledger.sold,
          remaining: ledger.remaining,
          pending: ledger.pending,
          consistent: ledger.consistent,
          server_errors: countStatuses(result.byStatus, (s) => s >= 500 || s === 0),
          refused_409: countStatuses(result.byStatus, (s) => s === 409),
          mode: concurrency,
        },
      };
    },
  };
}
