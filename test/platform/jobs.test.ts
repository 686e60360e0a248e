import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kysely, PostgresDialect } from 'kysely';
import { startJobs, type Jobs } from '../../src/platform/jobs/jobs.js';
import { createLogger } from '../../src/platform/logger.js';
import { createTestDatabase, testPool } from '../helpers.js';

/** Resolves with what `take` collected once `done` says so, or fails after `ms`. */
function until<T>(ms: number, take: (resolve: (value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing after ${ms} ms`)), ms);
    take((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

describe('the jobs port (pg-boss)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let jobs: Jobs;

  beforeAll(async () => {
    database = await createTestDatabase();
    jobs = await startJobs(database.url, createLogger('fatal'));
  });
  afterAll(async () => {
    await jobs?.stop(1000);
    await database?.drop();
  });

  it('gives a job its own tries, tells the handler which is the last, then dead-letters it', async () => {
    await jobs.createQueue('flaky-dead');
    await jobs.createQueue('flaky', { retryLimit: 5, retryDelay: 60, deadLetter: 'flaky-dead' });
    const tries: [number, number][] = [];
    await jobs.workWithMetadata<{ n: number }>('flaky', {}, async ([job]) => {
      tries.push([job!.retryCount, job!.retryLimit]);
      throw new Error('always fails');
    });
    const dead = until<{ n: number }>(20_000, (resolve) =>
      jobs.work<{ n: number }>('flaky-dead', {}, async ([job]) => resolve(job!.data)),
    );
    // The job's options override the queue's: 1 retry, at once, not 5 a minute apart.
    await jobs.send('flaky', { n: 42 }, { retryLimit: 1, retryDelay: 0 });
    expect(await dead).toEqual({ n: 42 });
    expect(tries).toEqual([
      [0, 1],
      [1, 1],
    ]);
  });

  it('keeps each job’s time limit and start time', async () => {
    await jobs.createQueue('timed');
    const seen = until<{ expireInSeconds: number; startedLate: boolean }>(20_000, (resolve) =>
      jobs.work<{ at: number }>('timed', {}, async ([job]) =>
        resolve({ expireInSeconds: job!.expireInSeconds, startedLate: Date.now() >= job!.data.at }),
      ),
    );
    const at = Date.now() + 1500;
    await jobs.send('timed', { at }, { expireInSeconds: 7, startAfter: new Date(at) });
    expect(await seen).toEqual({ expireInSeconds: 7, startedLate: true });
  });

  it('enqueues in the caller’s transaction: a rollback leaves no job', async () => {
    await jobs.createQueue('tx');
    const pool = testPool(database.url, 2);
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    try {
      await db
        .transaction()
        .execute(async (tx) => {
          await jobs.send('tx', { kept: false }, { tx });
          throw new Error('roll back');
        })
        .catch(() => undefined);
      await db.transaction().execute((tx) => jobs.send('tx', { kept: true }, { tx }));
      const got = until<object[]>(20_000, (resolve) =>
        jobs.work<object>('tx', { batchSize: 10 }, async (batch) => resolve(batch.map((j) => j.data))),
      );
      expect(await got).toEqual([{ kept: true }]);
    } finally {
      await db.destroy();
    }
  });
});
