import type { Logger } from '../logger.js';
import type { Assignment } from './assignment.js';
import { DEFAULT_BATCH_SIZE, type ConsumeOptions, type Consumer, type Delivery } from './events.js';

/** What an adapter provides; the loop is the same for every adapter. */
export interface ConsumerLoopSource<T> {
  assignment: Assignment;
  /**
   * The next messages of the owned partitions, each partition's in order; [] when none. With
   * `more` false, only what the source already holds (the consumer is stopping).
   */
  fetch(owned: readonly number[], more: boolean): Promise<Delivery<T>[]>;
  ack(batch: Delivery<T>[]): Promise<void>;
  /** Schedules another try with backoff, or dead-letters after the last. */
  fail(delivery: Delivery<T>, error: string): Promise<void>;
  /**
   * Whether events taken from the broker wait to be handed out (a message carried more than a
   * batch had room for): a stopping consumer hands them out before it leaves.
   */
  holding?(): boolean;
  /** Called before leaving the group (e.g. to close per-partition subscriptions). */
  close?(): Promise<void>;
}

export interface LoopOptions {
  log: Logger;
  idlePollMs: number;
  /** How often the partitions are dealt again (default 1000). */
  rebalanceEveryMs?: number;
}

/** After an error of the bus itself (database or broker down), wait this long before trying again. */
const ERROR_PAUSE_MS = 1000;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * fetch → handle → ack, one batch at a time, rebalancing between batches (so a partition is only
 * given up with nothing of it in hand). A batch that fails is retried message by message, so one
 * poison message costs one retry and not its neighbours'.
 */
export function runConsumer<T>(
  source: ConsumerLoopSource<T>,
  options: Pick<ConsumeOptions<T>, 'handle' | 'group' | 'stream' | 'batchSize' | 'lingerMs'>,
  loop: LoopOptions,
): Consumer {
  const { log } = loop;
  const rebalanceEveryMs = loop.rebalanceEveryMs ?? 1000;
  const lingerMs = options.lingerMs ?? 0;
  const halfBatch = (options.batchSize ?? DEFAULT_BATCH_SIZE) / 2;
  let stopping = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const handleBatch = async (batch: Delivery<T>[]) => {
    try {
      await options.handle(batch);
    } catch (err) {
      if (batch.length === 1) return source.fail(batch[0]!, message(err));
      for (const d of batch) {
        try {
          await options.handle([d]);
        } catch (one) {
          await source.fail(d, message(one));
          continue;
        }
        await source.ack([d]);
      }
      return;
    }
    await source.ack(batch);
  };

  const done = (async () => {
    let rebalancedAt = -Infinity;
    while (!stopping || source.holding?.()) {
      try {
        // A partition is given up only with nothing of it in hand: events held from a message
        // that a batch took only part of are handed out first, in a batch of their own.
        let handOutHeld = false;
        if (!stopping && performance.now() - rebalancedAt >= rebalanceEveryMs) {
          if (source.holding?.()) handOutHeld = true;
          else {
            await source.assignment.rebalance();
            rebalancedAt = performance.now();
          }
        }
        const owned = source.assignment.owned;
        if (owned.length === 0 && !stopping) {
          await pause(Math.max(loop.idlePollMs, 200));
          continue;
        }
        const batch = await source.fetch(owned, !stopping && !handOutHeld);
        if (batch.length === 0) {
          if (stopping) break;
          await pause(loop.idlePollMs);
          continue;
        }
        await handleBatch(batch);
        if (lingerMs > 0 && batch.length < halfBatch && !stopping) await pause(lingerMs);
      } catch (err) {
        if (stopping) break;
        log.error({ err, stream: options.stream, group: options.group }, 'consumer error; retrying');
        await pause(ERROR_PAUSE_MS);
      }
    }
    await source.close?.().catch((err: unknown) => log.warn({ err }, 'consumer close failed'));
    await source.assignment.leave().catch((err: unknown) => log.warn({ err }, 'could not leave the group'));
  })();

  return {
    async stop() {
      stopping = true;
      wake?.();
      await done;
    },
  };
}
