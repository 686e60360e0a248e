import { CompiledQuery, type Kysely } from 'kysely';
import PgBoss from 'pg-boss';
import type { Logger } from '../logger.js';

export type Job<T> = PgBoss.Job<T>;
/** A job with its state and tries: `retryCount === retryLimit` on its last try. */
export type JobWithMetadata<T> = PgBoss.JobWithMetadata<T>;

interface RetryOptions {
  retryLimit?: number;
  /** Seconds before the first retry. */
  retryDelay?: number;
  /** Double the delay at each retry. */
  retryBackoff?: boolean;
  /** How long one try may run before it counts as failed (and is retried). */
  expireInSeconds?: number;
}

export interface QueueOptions extends RetryOptions {
  /** Queue that receives a job after its last failed try. */
  deadLetter?: string;
}

/** Options of one job; they override its queue's. */
export interface SendOptions extends RetryOptions {
  /** The caller's transaction: the job commits or rolls back with the row it belongs to. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Kysely handle, typed or not
  tx?: Kysely<any>;
  /** Not before this moment. */
  startAfter?: Date;
}

export interface WorkOptions {
  batchSize?: number;
  pollingIntervalSeconds?: number;
}

/**
 * The durable job queue (pg-boss on the same PostgreSQL). `send` can take the caller's
 * transaction, so a job and the row it belongs to commit or roll back together.
 */
export interface Jobs {
  createQueue(name: string, options?: QueueOptions): Promise<void>;
  send(queue: string, data: object, options?: SendOptions): Promise<string | null>;
  work<T>(queue: string, options: WorkOptions, handler: (jobs: Job<T>[]) => Promise<void>): Promise<string>;
  /** As `work`, with each job's tries and state, so a handler can tell its last try. */
  workWithMetadata<T>(
    queue: string,
    options: WorkOptions,
    handler: (jobs: JobWithMetadata<T>[]) => Promise<void>,
  ): Promise<string>;
  /** Wakes this process's workers of a queue now instead of at their next poll. */
  nudge(queue: string): void;
  /** This process's workers of a queue fetch no more jobs; the handlers running go on. */
  offWork(queue: string): Promise<void>;
  stop(timeoutMs: number): Promise<void>;
}

export async function startJobs(url: string, log: Logger): Promise<Jobs> {
  const boss = new PgBoss({ connectionString: url, max: 4, application_name: 'crucible-jobs' });
  boss.on('error', (err) => log.error({ err }, 'job queue error'));
  await boss.start();
  const workers = new Map<string, string[]>();
  let stopped: Promise<void> | undefined;
  const work = async (
    queue: string,
    options: WorkOptions & { includeMetadata: boolean },
    handler: (jobs: Job<unknown>[]) => Promise<void>,
  ) => {
    const batchSize = options.batchSize ?? 1;
    const id: string = await boss.work(queue, { pollingIntervalSeconds: 0.5, ...options }, async (jobs) => {
      // pg-boss types it as a number but hands over PostgreSQL's numeric text ('7.000000').
      for (const job of jobs) job.expireInSeconds = Number(job.expireInSeconds);
      await handler(jobs);
      // A full batch means more are waiting: fetch again now instead of sleeping out the poll.
      if (jobs.length >= batchSize) boss.notifyWorker(id);
    });
    workers.set(queue, [...(workers.get(queue) ?? []), id]);
    return id;
  };
  return {
    async createQueue(name, options = {}) {
      const existing = await boss.getQueue(name);
      if (existing) await boss.updateQueue(name, { ...options } as PgBoss.Queue);
      else await boss.createQueue(name, { name, ...options });
    },
    send(queue, data, { tx, ...options } = {}) {
      if (!tx) return boss.send(queue, data, options);
      const db = {
        executeSql: async (text: string, values: unknown[]) =>
          tx.executeQuery(CompiledQuery.raw(text, values)),
      };
      return boss.send(queue, data, { ...options, db });
    },
    work(queue, options, handler) {
      return work(queue, { ...options, includeMetadata: false }, handler as never);
    },
    workWithMetadata(queue, options, handler) {
      return work(queue, { ...options, includeMetadata: true }, handler as never);
    },
    nudge(queue) {
      for (const id of workers.get(queue) ?? []) boss.notifyWorker(id);
    },
    async offWork(queue) {
      workers.delete(queue);
      await boss.offWork(queue);
    },
    stop(timeoutMs) {
      stopped ??= boss.stop({ graceful: true, wait: true, timeout: Math.max(timeoutMs, 1000) });
      return stopped;
    },
  };
}
