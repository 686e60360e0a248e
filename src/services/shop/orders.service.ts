import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import { ConflictError, ForbiddenError, NotFoundError, UnavailableError } from '../../platform/errors.js';
import type { Jobs } from '../../platform/jobs/jobs.js';
import type { Concurrency } from './config.js';
import { groupCommitter } from './orders.group.js';
import * as repo from './orders.repository.js';
import type { Order, OrderCreate } from './orders.schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- queries here are raw SQL
type Db = Kysely<any>;

export const RESERVE_QUEUE = 'shop-reserve';
export const OUT_OF_STOCK = 'Disc is out of stock';

export interface Placed {
  status: 200 | 202;
  order: Order;
}

/** Runs inside the purchase's transaction before it commits (records the idempotent answer). */
export type BeforeCommit = (trx: Db, placed: Placed) => Promise<void>;

// Under a crowd on one disc most attempts lose the race; exponential back-off with full jitter
// spreads the retries out so that each round has a winner and nobody starves for long.
const OPTIMISTIC_MAX_ATTEMPTS = 100;
const OPTIMISTIC_DEADLINE_MS = 20_000;
const backoffMs = (attempt: number) => Math.random() * Math.min(200, 2 ** Math.min(attempt, 10));

function refuse(outcome: Exclude<repo.Outcome, { kind: 'ok' }>): never {
  switch (outcome.kind) {
    case 'customer-missing':
      throw new NotFoundError('Customer not found');
    case 'customer-inactive':
      throw new ForbiddenError('Customer is inactive');
    case 'disc-missing':
      throw new NotFoundError('Disc not found');
    case 'out-of-stock':
      throw new ConflictError(OUT_OF_STOCK);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The breaker's patience for the hot row's lock before it queues the order instead. */
export const BREAKER_LOCK_TIMEOUT_MS = 50;
const isLockTimeout = (err: unknown) => (err as { code?: string }).code === '55P03';

/** The purchase rules under each concurrency mode; no HTTP here. */
export function orderService(db: Db, pool: pg.Pool, jobs: Jobs, mode: Concurrency) {
  async function inTransaction(
    work: (trx: Db) => Promise<repo.Outcome>,
    status: 200 | 202,
    beforeCommit?: BeforeCommit,
    afterWork?: (trx: Db, order: Order) => Promise<void>,
  ): Promise<Placed> {
    return db.transaction().execute(async (trx) => {
      const outcome = await work(trx);
      if (outcome.kind !== 'ok') refuse(outcome);
      const placed: Placed = { status, order: outcome.order };
      await afterWork?.(trx, outcome.order);
      await beforeCommit?.(trx, placed);
      return placed;
    });
  }

  /** One read-then-compare-and-set on one connection, so the version read is as fresh as it can be. */
  async function optimisticAttempt(conn: Db, input: OrderCreate, beforeCommit?: BeforeCommit) {
    const seen = await repo.readForOptimistic(conn, input);
    if (!seen.customer) refuse({ kind: 'customer-missing' });
    if (!seen.customer.is_active) refuse({ kind: 'customer-inactive' });
    if (!seen.disc) refuse({ kind: 'disc-missing' });
    if (seen.disc.quantity < input.quantity) refuse({ kind: 'out-of-stock' });
    const { customer } = seen;
    const { version } = seen.disc;
    if (!beforeCommit) return repo.purchaseIfUnchanged(conn, input, customer, version);
    return conn.transaction().execute(async (trx) => {
      const made = await repo.purchaseIfUnchanged(trx, input, customer, version);
      if (made) await beforeCommit(trx, { status: 200, order: made });
      return made;
    });
  }

  async function optimistic(input: OrderCreate, beforeCommit?: BeforeCommit): Promise<Placed> {
    const deadline = Date.now() + OPTIMISTIC_DEADLINE_MS;
    for (let attempt = 1; attempt <= OPTIMISTIC_MAX_ATTEMPTS && Date.now() < deadline; attempt++) {
      const order = await db.connection().execute((conn) => optimisticAttempt(conn, input, beforeCommit));
      if (order) return { status: 200, order };
      await sleep(backoffMs(attempt));
    }
    throw new UnavailableError('Too many concurrent purchases of this disc; retry shortly');
  }

  const groups = mode === 'grouped' ? groupCommitter(db) : undefined;

  async function queue(input: OrderCreate, beforeCommit?: BeforeCommit): Promise<Placed> {
    const placed = await inTransaction(
      (trx) => repo.insertPending(trx, input),
      202,
      beforeCommit,
      (trx, order) => jobs.send(RESERVE_QUEUE, { orderId: order.id }, { tx: trx }).then(() => undefined),
    );
    jobs.nudge(RESERVE_QUEUE);
    return placed;
  }

  /**
   * The seed's circuit breaker: sell at once when the disc's row lock comes quickly; when the
   * row is so contended that the lock takes longer than the timeout, queue the order (202).
   */
  async function breaker(input: OrderCreate, beforeCommit?: BeforeCommit): Promise<Placed> {
    try {
      return await inTransaction(
        async (trx) => {
          await sql`SELECT set_config('lock_timeout', ${`${BREAKER_LOCK_TIMEOUT_MS}ms`}, true)`.execute(trx);
          return repo.purchaseAtomic(trx, input);
        },
        200,
        beforeCommit,
      );
    } catch (err) {
      if (!isLockTimeout(err)) throw err;
      return queue(input, beforeCommit);
    }
  }

  return {
    mode,
    async place(input: OrderCreate, beforeCommit?: BeforeCommit): Promise<Placed> {
      switch (mode) {
        case 'grouped':
          // An idempotent request commits with its key, alone: the group path is for the crowd.
          if (beforeCommit) return inTransaction((trx) => repo.purchaseAtomic(trx, input), 200, beforeCommit);
          return groups!.place(input).then((outcome) => {
            if (outcome.kind !== 'ok') refuse(outcome);
            return { status: 200, order: outcome.order } as const;
          });
        case 'atomic':
          if (beforeCommit) return inTransaction((trx) => repo.purchaseAtomic(trx, input), 200, beforeCommit);
          return repo.purchaseAtomicPrepared(db, pool, input).then((outcome) => {
            if (outcome.kind !== 'ok') refuse(outcome);
            return { status: 200, order: outcome.order } as const;
          });
        case 'pessimistic':
          return inTransaction((trx) => repo.purchasePessimistic(trx, input), 200, beforeCommit);
        case 'optimistic':
          return optimistic(input, beforeCommit);
        case 'queued':
          return queue(input, beforeCommit);
        case 'breaker':
          return breaker(input, beforeCommit);
      }
    },
  };
}

export type OrderService = ReturnType<typeof orderService>;
