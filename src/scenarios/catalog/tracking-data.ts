import { randomInt } from 'node:crypto';
import type { RequestSpec } from '../model.js';
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

/**
 * A careful client of the interactions API: each interaction carries its own Idempotency-Key,
 * and one not accepted (503, no answer) is sent again with the same key after the load, as the
 * 503's detail asks. A refused request may still have been stored (a lost broker confirmation),
 * so only with the key does "every interaction counted once" hold, and only then can the count
 * be checked against what the clients meant to send.
 */
export function keyedClient(run: string, campaigns: number) {
  const sent = new Map<string, ReturnType<typeof interaction>>();
  const accepted = new Set<string>();
  const keyOf = (headers: Record<string, string> | undefined) => headers?.['idempotency-key'] ?? '';
  return {
    request: ({ seq }: { seq: number }): RequestSpec => {
      const key = `${run}-${seq}`;
      const body = interaction(run, campaigns);
      sent.set(key, body);
      return { method: 'POST', path: '/tracking/interactions', body, headers: { 'idempotency-key': key } };
    },
    isGood: (status: number, _body: string, request: RequestSpec) => {
      if (status === 202) accepted.add(keyOf(request.headers));
      return status === 202;
    },
    /** Interactions the clients sent during the load. */
    get sent() {
      return sent.size;
    },
    /**
     * Sends each interaction not accepted yet again, with its key, until accepted (a few tries
     * with a pause); returns how many were accepted on a retry and how many never were.
     */
    async retryRefused(ctx: ScenarioContext, tries = 5) {
      let retried = 0;
      for (let attempt = 0; attempt < tries; attempt++) {
        const refused = [...sent.keys()].filter((k) => !accepted.has(k));
        if (refused.length === 0) break;
        if (attempt > 0) await new Promise((r) => setTimeout(r, 1000));
        for (let i = 0; i < refused.length; i += 32) {
          await Promise.all(
            refused.slice(i, i + 32).map(async (key) => {
              const res = await ctx.http('POST', '/tracking/interactions', sent.get(key), {
                'idempotency-key': key,
              });
              if (res.status === 202) {
                accepted.add(key);
                retried++;
              }
            }),
          );
        }
      }
      return { retried, neverAccepted: sent.size - accepted.size };
    },
  };
}
