import { concatResults } from '../merge.js';
import type { LoadResult, Workload } from '../model.js';
import type { Scenario, Size } from '../scenario.js';
import { stepBroken, type StepBreak } from '../steps.js';
import { countStatuses, createHotDisc, purchase, purchaseIsGood, stockOf } from './shop-data.js';

const STEPS: Record<Size, { rates: number[]; durationS: number }> = {
  full: { rates: [250, 500, 1000, 1500, 2000, 2500, 3000, 4000, 5000, 6000], durationS: 10 },
  smoke: { rates: [50, 100], durationS: 2 },
};

/** A step holds when its p99 stays under this and almost every answer is correct. */
const P99_LIMIT_MS = 250;
const BAD_LIMIT = 0.01;

const workload = (size: Size): Workload => ({
  model: 'open',
  stages: STEPS[size].rates.map((rate) => ({ rate, durationS: STEPS[size].durationS })),
});

type StopReason = StepBreak | 'end of steps';

/** Promotion peak: the arrival rate of orders on one hot disc rises until a threshold breaks. */
export function shopPeak(mode?: string): Scenario {
  const concurrency = mode ?? 'atomic';
  return {
    name: mode ? `shop.peak.${mode}` : 'shop.peak',
    title: `Promotion peak: highest order rate one hot disc holds (${concurrency} mode)`,
    serverEnv: { SHOP_CONCURRENCY: concurrency },
    description:
      `Orders for one disc arrive at a stepped rate (open model: the rate does not slow down when the server does). ` +
      `A step holds while its p99 stays under ${P99_LIMIT_MS} ms and fewer than ${BAD_LIMIT * 100} % of answers are wrong; ` +
      'the run stops at the first step that breaks and reports the highest rate that held.',
    sixParts: {
      source: 'a promotion: customers arriving independently at a rising rate',
      stimulus: 'POST /purchase-orders of one copy of the same disc, stepped arrival rate',
      environment:
        'peak load, one shop process (atomic mode) on an embedded PostgreSQL, generator on the same cores',
      artifact: 'shop purchase path: the hot row, its lock and the commit',
      response: 'answer every order correctly and quickly; never oversell',
      responseMeasure: `highest arrival rate with p99 < ${P99_LIMIT_MS} ms and < ${BAD_LIMIT * 100} % bad answers; ledger consistent`,
    },
    expectedRefusals: [409],
    availabilityDefinition:
      'good = 200 (sold) or 409 "out of stock"; 5xx, other statuses and no answer within 10 s are bad; latency counts ' +
      'from the intended send time, so a slow server cannot hide its backlog.',
    seedFigure: 'the seed measured 47.94 orders/s under 90 clients',
    workload,
    headline: 'highest_rate_held',
    criteria: (size) => [
      `highest_rate_held >= ${size === 'full' ? 1000 : 50}`,
      'consistent == 1',
      'sold_mismatch == 0',
    ],
    async run(ctx) {
      const hot = await createHotDisc(ctx, 100_000_000, 'peak');
      const { rates, durationS } = STEPS[ctx.size];
      const phases: LoadResult[] = [];
      const measures: Record<string, number | string | boolean> = {};
      let held = 0;
      let stoppedBy: StopReason = 'end of steps';
      for (const rate of rates) {
        const r = await ctx.load(
          {
            workload: { model: 'open', stages: [{ rate, durationS }] },
            request: purchase(hot),
            isGood: purchaseIsGood,
          },
          `${rate}/s`,
        );
        phases.push(r);
        measures[`p99_ms_at_${rate}`] = Math.round(r.latency.p99 * 100) / 100;
        measures[`orders_per_s_at_${rate}`] = Math.round(
          countStatuses(r.byStatus, (s) => s === 200) / r.durationS,
        );
        const broken = stepBroken(r, P99_LIMIT_MS, BAD_LIMIT);
        if (broken) {
          stoppedBy = broken;
          ctx.log(`${rate}/s broke the threshold (${broken}); highest rate held: ${held}/s`);
          break;
        }
        held = rate;
      }
      const ledger = await stockOf(ctx, hot.discId);
      const result = concatResults(phases);
      // Only a generator that failed before any step held makes the run prove nothing.
      result.generator.saturated = held === 0 && stoppedBy === 'generator';
      return {
        result,
        measures: {
          highest_rate_held: held,
          stopped_by: stoppedBy,
          consistent: ledger.consistent,
          sold: ledger.sold,
          // Every 200 answered is one sale in the ledger, and no sale happened without its 200.
          sold_mismatch: ledger.sold - countStatuses(result.byStatus, (s) => s === 200),
          ...measures,
        },
      };
    },
  };
}
