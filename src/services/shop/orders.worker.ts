import type { ServiceContext } from '../../platform/service.js';
import { decidePending } from './orders.repository.js';
import { RESERVE_QUEUE } from './orders.service.js';

export const RESERVE_DEAD_LETTER = `${RESERVE_QUEUE}-dead`;

export async function createReserveQueue(ctx: ServiceContext): Promise<void> {
  await ctx.jobs.createQueue(RESERVE_DEAD_LETTER);
  await ctx.jobs.createQueue(RESERVE_QUEUE, {
    retryLimit: 5,
    retryDelay: 1,
    retryBackoff: true,
    deadLetter: RESERVE_DEAD_LETTER,
  });
}

/**
 * Decides queued orders in the order they were placed, a batch per transaction: one commit for
 * up to a hundred decisions. A failed batch is retried whole; deciding is idempotent.
 */
export async function startReserveWorker(ctx: ServiceContext): Promise<void> {
  await createReserveQueue(ctx);
  await ctx.jobs.work<{ orderId: string }>(RESERVE_QUEUE, { batchSize: 100 }, async (jobs) => {
    await ctx.db.transaction().execute(async (trx) => {
      for (const job of jobs) await decidePending(trx, job.data.orderId);
    });
    ctx.log.debug({ decided: jobs.length }, 'queued orders decided');
  });
}
