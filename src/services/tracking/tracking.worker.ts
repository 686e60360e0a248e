import type { Delivery } from '../../platform/events/events.js';
import type { ServiceContext } from '../../platform/service.js';
import type { TrackingConfig } from './config.js';
import { copyAndCount } from './interactions.repository.js';
import { checkStored, receivedDay, type StoredInteraction } from './interactions.rules.js';
import { TRACKING_GROUP, TRACKING_PARTITIONS, TRACKING_STREAM } from './interactions.service.js';
import { countFailure } from './stats.repository.js';

const MAX_ATTEMPTS = 5;

/** Idempotent, so both the HTTP side and the workers call it, in whichever process starts first. */
export async function declareStream(ctx: ServiceContext): Promise<void> {
  await ctx.events.declare({
    name: TRACKING_STREAM,
    partitions: TRACKING_PARTITIONS,
    groups: [TRACKING_GROUP],
  });
}

/**
 * Every delivery checked first: one malformed message makes the whole batch throw, the port then
 * retries the batch one message at a time, so the good ones are stored and only the bad one goes
 * on to its retries and the dead letters.
 */
export function storeBatch(ctx: ServiceContext) {
  return async (batch: Delivery[]): Promise<void> => {
    const rows = new Map<string, StoredInteraction>();
    for (const d of batch) {
      const checked = checkStored(d.id, d.key, d.data, d.publishedAt);
      if (!checked.ok) throw new Error(checked.error);
      // The same event published twice can come in one batch; the INSERT must see it once.
      rows.set(d.id, checked.value);
    }
    const stored = await copyAndCount(ctx.pool, ctx.db, [...rows.values()], batch[0]?.partition ?? 0);
    ctx.log.debug({ delivered: batch.length, stored }, 'interactions stored');
  };
}

export function countDeadLetter(ctx: ServiceContext) {
  return async (d: Delivery, error: string): Promise<void> => {
    const counted = await countFailure(
      ctx.db,
      d.id,
      receivedDay(d.key, d.data, d.publishedAt),
      error.slice(0, 2000),
      d.partition,
    );
    ctx.log.warn({ id: d.id, key: d.key, attempts: d.attempt, error, counted }, 'interaction dead-lettered');
  };
}

/** Starts the consumers; the event bus stops them (finishing their batch) when the runtime closes. */
export async function startTrackingWorkers(ctx: ServiceContext, config: TrackingConfig): Promise<void> {
  await declareStream(ctx);
  const handle = storeBatch(ctx);
  const deadLetter = countDeadLetter(ctx);
  for (let i = 0; i < config.consumers; i++) {
    await ctx.events.consume({
      stream: TRACKING_STREAM,
      group: TRACKING_GROUP,
      batchSize: config.batchSize,
      maxAttempts: MAX_ATTEMPTS,
      retryDelayMs: config.retryDelayMs,
      lingerMs: config.lingerMs,
      handle,
      deadLetter,
    });
  }
  ctx.log.info({ consumers: config.consumers, batchSize: config.batchSize }, 'tracking consumers started');
}
