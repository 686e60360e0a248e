import { sql, type Kysely } from 'kysely';
import { outcome as outcomeOf, type AttemptRow, type Outcome } from './orders.repository.js';
import type { OrderCreate } from './orders.schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- queries here are raw SQL
type Db = Kysely<any>;

interface GroupRow extends AttemptRow {
  remaining: number;
}

/**
 * Decides many orders of one disc in one statement, hence one commit: stock goes to the orders
 * in arrival order while their running total fits what is left under the row lock. Each order
 * is as durable as in `atomic`; what is shared is the lock and the WAL flush.
 */
export async function purchaseGroup(db: Db, discId: string, orders: OrderCreate[]): Promise<GroupRow[]> {
  const customers = orders.map((o) => o.customer_id);
  const quantities = orders.map((o) => o.quantity);
  const { rows } = await sql<GroupRow>`
    WITH req AS (
      SELECT r.ord, r.customer_id, r.quantity, gen_random_uuid() AS id
      FROM unnest(${customers}::uuid[], ${quantities}::int[]) WITH ORDINALITY AS r (customer_id, quantity, ord)
    ),
    d0 AS (SELECT id, name, artist, year_of_release, genre, quantity FROM shop.discs WHERE id = ${discId} FOR UPDATE),
    c AS (
      SELECT req.ord, to_jsonb(cu) AS customer, cu.is_active
      FROM req JOIN shop.customers cu ON cu.id = req.customer_id
    ),
    alloc AS (
      SELECT req.ord, req.id, req.customer_id, req.quantity, c.customer,
        sum(req.quantity) OVER (ORDER BY req.ord) AS cum
      FROM req JOIN c USING (ord) WHERE c.is_active
    ),
    won AS (SELECT alloc.*, d0.quantity - alloc.cum AS left_after FROM alloc, d0 WHERE alloc.cum <= d0.quantity),
    d AS (
      UPDATE shop.discs SET quantity = quantity - (SELECT sum(quantity) FROM won), version = version + 1
      WHERE id = ${discId} AND EXISTS (SELECT 1 FROM won)
      RETURNING quantity
    ),
    o AS (
      INSERT INTO shop.purchase_orders (id, disc_id, customer_id, quantity, status, disc, customer, decided_at)
      SELECT won.id, d0.id, won.customer_id, won.quantity, 'confirmed',
        jsonb_set(to_jsonb(d0), '{quantity}', to_jsonb(won.left_after)), won.customer, clock_timestamp()
      FROM won, d0 WHERE EXISTS (SELECT 1 FROM d)
      RETURNING id, disc_id, customer_id, quantity, status, reason, disc, customer, created_at
    )
    SELECT (SELECT to_jsonb(o) FROM o WHERE o.id = req.id) AS "order",
      c.is_active AS customer_active,
      EXISTS (SELECT 1 FROM d0) AS disc_exists,
      coalesce((SELECT quantity FROM d0), 0) - coalesce((SELECT sum(quantity) FROM won), 0) AS remaining
    FROM req LEFT JOIN c USING (ord) ORDER BY req.ord`.execute(db);
  return rows;
}

interface Waiting {
  input: OrderCreate;
  resolve: (outcome: Outcome) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for one process: orders of a disc that arrive while its previous group is being
 * written wait and go together in the next group. One group per disc is in flight at a time;
 * several processes still serialize on the row lock, so correctness never depends on this one.
 */
export function groupCommitter(db: Db, maxGroup = 256) {
  const lanes = new Map<string, Waiting[]>();

  async function drain(discId: string, queue: Waiting[]): Promise<void> {
    while (queue.length) {
      const group = queue.splice(0, maxGroup);
      try {
        const rows = await purchaseGroup(
          db,
          discId,
          group.map((w) => w.input),
        );
        const again: Waiting[] = [];
        rows.forEach((row, i) => {
          const outcome = outcomeOf(row);
          const waiting = group[i]!;
          // Refused only because a bigger order ahead of it did not fit: it may fit on its own.
          if (outcome.kind === 'out-of-stock' && waiting.input.quantity <= row.remaining) again.push(waiting);
          else waiting.resolve(outcome);
        });
        queue.unshift(...again);
      } catch (err) {
        for (const waiting of group) waiting.reject(err);
      }
    }
    lanes.delete(discId);
  }

  return {
    place(input: OrderCreate): Promise<Outcome> {
      return new Promise((resolve, reject) => {
        const queue = lanes.get(input.disc_id);
        if (queue) return queue.push({ input, resolve, reject });
        const fresh = [{ input, resolve, reject }];
        lanes.set(input.disc_id, fresh);
        void drain(input.disc_id, fresh);
      });
    },
  };
}
