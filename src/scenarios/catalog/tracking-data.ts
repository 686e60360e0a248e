import { randomInt } from 'node:crypto';
import type { ScenarioContext } from '../scenario.js';

const TYPES = ['click', 'view', 'like'] as const;

/** One interaction as the original's clients send it, on one of `campaigns` campaigns. */
export function interaction(run: string, campaigns: number) {
  return {
    interaction_type: TYPES[randomInt(TYPES.length)]!,
    target_element_id: `banner-${randomInt(1000)}`,
    target_element_type: 'banner',
    campaign_id: `${run}-c${randomInt(campaigns)}`,
  };
}

/** Interactions counted as processed (`ok`) in the daily stats, over every day. */
export async function countedOk(ctx: ScenarioContext): Promise<number> {
  let res = await ctx.http('GET', '/tracking/stats/daily');
  // A busy server may shed this read with 503 + Retry-After: ask again, for a while.
  for (let tries = 0; res.status === 503 && tries < 50; tries++) {
    await new Promise((r) => setTimeout(r, 200));
    res = await ctx.http('GET', '/tracking/stats/daily');
  }
  if (res.status !== 200) throw new Error(`GET /tracking/stats/daily answered ${res.status}`);
  const items = (res.body as { items: { status?: string; count: number }[] }).items;
  return items.filter((i) => i.status === 'ok').reduce((sum, i) => sum + Number(i.count), 0);
}

/**
 * Waits until the stats count `expected` (or stop moving for `stallMs`); returns the last count
 * and how long it took. Counting past `expected` stops at once: that is double counting.
 */
export async function waitCounted(
  ctx: ScenarioContext,
  expected: number,
  stallMs = 30_000,
): Promise<{ counted: number; waitedMs: number }> {
  const start = performance.now();
  let counted = await countedOk(ctx);
  let movedAt = performance.now();
  while (counted < expected && performance.now() - movedAt < stallMs) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await countedOk(ctx);
    if (now !== counted) movedAt = performance.now();
    counted = now;
  }
  return { counted, waitedMs: Math.round(performance.now() - start) };
}
