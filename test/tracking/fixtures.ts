import { randomUUID } from 'node:crypto';
import type { Client } from '../shop/client.js';
import type { TestApp } from '../helpers.js';

export { client, expectProblem, JSON_TYPE, MISSING, UUID, type Answer, type Client } from '../shop/client.js';

/** Consumers that retry a failed message after 10 ms instead of 1 s, so dead letters come quickly. */
export const FAST_RETRIES = { TRACKING_RETRY_DELAY_MS: '10' };

export const anInteraction = (campaign_id = `c-${randomUUID()}`, extra: Record<string, unknown> = {}) => ({
  interaction_type: 'click',
  target_element_id: '123',
  target_element_type: 'button',
  campaign_id,
  ...extra,
});

/** Polls until `check` holds, or fails naming what it waited for. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until the workers have taken every message published so far. */
export async function drained(app: TestApp): Promise<void> {
  await waitFor(
    async () => (await app.runtime.events.pending('tracking', 'tracking')) === 0,
    'the tracking stream to drain',
  );
}

interface Item {
  day: string;
  status?: string;
  campaign_id?: string;
  interaction_type?: string;
  count: number;
}

/** The outcome counts of every day, summed: {ok, error}. */
export async function outcomes(http: Client): Promise<{ ok: number; error: number }> {
  const answer = await http.get('/tracking/stats/daily');
  const items = answer.body.items as Item[];
  const sum = (status: string) => items.filter((i) => i.status === status).reduce((n, i) => n + i.count, 0);
  return { ok: sum('ok'), error: sum('error') };
}

/** Interactions of one campaign, per type, over every day. */
export async function campaignCounts(http: Client, campaign: string): Promise<Record<string, number>> {
  const answer = await http.get(
    `/tracking/stats/daily?group_by=interaction_type&campaign_id=${encodeURIComponent(campaign)}`,
  );
  const counts: Record<string, number> = {};
  for (const i of answer.body.items as Item[])
    counts[i.interaction_type!] = (counts[i.interaction_type!] ?? 0) + i.count;
  return counts;
}
