import { CompiledQuery, type Kysely } from 'kysely';
import PgBoss from 'pg-boss';
import type { Logger } from '../logger.js';

export type Job<T> = PgBoss.Job<T>;

export interface QueueOptions {
  retryLimit?: number;
  retryDelay?: number;
  retryBackoff?: boolean;
  /** Queue that receives a job after its last failed try. */
  deadLetter?: string;
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
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Kysely handle, typed or not
  send(queue: string, data: object, tx?: Kysely<any>): Promise<string | null>;
  work<T>(queue: string, options: WorkOptions, handler: (jobs: Job<T>[]) => Promise<void>): Promise<string>;
  /** Wakes this process's workers of a queue now instead of at their next poll. */
  nudge(queue: string): void;
  stop(timeoutMs: number): Promise<void>;
}

export async function startJobs(url: string, log: Logger): Promise<Jobs> {
  const boss = new PgBoss({ connectionString: url, max: 4, application_name: 'crucible-jobs' });
  boss.on('error', (err) => log.error({ err }, 'job queue error'));
  await boss.start();
  const workers = new Map<string, string[]>();
  let stopped: Promise<void> | undefined;
  return {
    async createQueue(name, options = {}) {
      const existing = await boss.getQueue(name);
      if (existing) await boss.updateQueue(name, { ...options } as PgBoss.Queue);
      else await boss.createQueue(name, { name, ...options });
    },
    send(queue, data, tx) {
      if (!tx) return boss.send(queue, data);
      const db = {
        executeSql: async (text: string, values: unknown[]) =>
          tx.executeQuery(CompiledQuery.raw(text, values)),
      };
      return boss.send(queue, data, { db });
    },
    async work(queue, options, handler) {
      const batchSize = options.batchSize ?? 1;
      const id: string = await boss.work(queue, { pollingIntervalSeconds: 0.5, ...options }, async (jobs) => {
        await handler(jobs as Job<never>[]);
        // A full batch means more are waiting: fetch again now instead of sleeping out the poll.
        if (jobs.length >= batchSize) boss.notifyWorker(id);
      });
      workers.set(queue, [...(workers.get(queue) ?? []), id]);
      return id;
    },
    nudge(queue) {
      for (const id of workers.get(queue) ?? []) boss.notifyWorker(id);
    },
    stop(timeoutMs) {
      stopped ??= boss.stop({ graceful: true, wait: true, timeout: Math.max(timeoutMs, 1000) });
      return stopped;
    },
  };
}
