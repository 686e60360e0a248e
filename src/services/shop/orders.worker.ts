import type { ServiceContext } from '../../platform/service.js';
import { decidePending, pendingInOrder } from './orders.repository.js';
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
      // pg-boss hands a batch over in no particular order: decide by when the orders were placed.
      for (const id of await pendingInOrder(
        trx,
        jobs.map((job) => job.data.orderId),
      ))
        await decidePending(trx, id);
    });
    ctx.log.debug({ decided: jobs.length }, 'queued orders decided');
  });
}
