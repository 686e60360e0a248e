import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { Order, OrderCreate, OrderQuery } from './orders.schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- queries here are raw SQL
type Db = Kysely<any>;

/** Why a purchase did not happen, or the order it made. */
export type Outcome =
  | { kind: 'ok'; order: Order }
  | { kind: 'customer-missing' | 'customer-inactive' | 'disc-missing' | 'out-of-stock' };

interface OrderRow {
  id: string;
  customer: Record<string, unknown>;
  disc: Record<string, unknown>;
  quantity: number;
  status: Order['status'];
  reason: string | null;
  created_at: string | Date;
}

/** What a purchase statement reports: the order it made, or the facts that say why not. */
export interface AttemptRow {
  order: OrderRow | null;
  customer_active: boolean | null;
  disc_exists: boolean;
}

export function toOrder(row: OrderRow): Order {
  const order: Order = {
    id: row.id,
    customer: row.customer,
    disc: row.disc,
    quantity: row.quantity,
    timestamp: new Date(row.created_at).toISOString(),
    status: row.status,
  };
  if (row.reason) order.reason = row.reason;
  return order;
}

export function outcome(row: AttemptRow): Outcome {
  if (row.order) return { kind: 'ok', order: toOrder(row.order) };
  if (row.customer_active === null) return { kind: 'customer-missing' };
  if (!row.customer_active) return { kind: 'customer-inactive' };
  if (!row.disc_exists) return { kind: 'disc-missing' };
  return { kind: 'out-of-stock' };
}

const customerCte = (id: string) =>
  sql`SELECT id, document, name, birth_date, email, phone, is_active FROM shop.customers WHERE id = ${id}`;
const DISC_COLUMNS = sql`id, name, artist, year_of_release, genre, quantity`;
const ORDER_COLUMNS = sql`id, disc_id, customer_id, quantity, status, reason, disc, customer, created_at`;

/**
 * The whole purchase in one statement, so one round trip and one short transaction: the
 * conditional UPDATE takes the row lock only for as long as the insert after it.
 */
const atomicStatement = (o: OrderCreate) => sql<AttemptRow>`
    WITH c AS (${customerCte(o.customer_id)}),
    d AS (
      UPDATE shop.discs SET quantity = quantity - ${o.quantity}, version = version + 1
      WHERE id = ${o.disc_id} AND quantity >= ${o.quantity} AND (SELECT is_active FROM c)
      RETURNING ${DISC_COLUMNS}
    ),
    o AS (
      INSERT INTO shop.purchase_orders (disc_id, customer_id, quantity, status, disc, customer, decided_at)
      SELECT d.id, c.id, ${o.quantity}, 'confirmed', to_jsonb(d), to_jsonb(c), clock_timestamp() FROM d, c
      RETURNING ${ORDER_COLUMNS}
    )
    SELECT (SELECT to_jsonb(o) FROM o) AS "order", (SELECT is_active FROM c) AS customer_active,
      EXISTS (SELECT 1 FROM shop.discs WHERE id = ${o.disc_id}) AS disc_exists`;

export async function purchaseAtomic(db: Db, o: OrderCreate): Promise<Outcome> {
  const { rows } = await atomicStatement(o).execute(db);
  return outcome(rows[0]!);
}

/**
 * The same statement as a named prepared statement on the pool: PostgreSQL parses and plans it
 * once per connection instead of once per order, which is CPU the hot path saves.
 */
export async function purchaseAtomicPrepared(db: Db, pool: pg.Pool, o: OrderCreate): Promise<Outcome> {
  const compiled = atomicStatement(o).compile(db);
  const { rows } = await pool.query<AttemptRow>({
    name: 'shop_purchase_atomic',
    text: compiled.sql,
    values: compiled.parameters as unknown[],
  });
  return outcome(rows[0]!);
}

/** The original's way: lock the disc row, check, update, insert. Needs a transaction. */
export async function purchasePessimistic(trx: Db, o: OrderCreate): Promise<Outcome> {
  const { rows } = await sql<{ customer: Record<string, unknown> | null; disc_quantity: number | null }>`
    SELECT (SELECT to_jsonb(c) FROM (${customerCte(o.customer_id)}) c) AS customer,
      (SELECT quantity FROM shop.discs WHERE id = ${o.disc_id} FOR UPDATE) AS disc_quantity`.execute(trx);
  const { customer, disc_quantity } = rows[0]!;
  if (!customer) return { kind: 'customer-missing' };
  if (!customer.is_active) return { kind: 'customer-inactive' };
  if (disc_quantity === null) return { kind: 'disc-missing' };
  if (disc_quantity < o.quantity) return { kind: 'out-of-stock' };
  const inserted = await sql<{ order: OrderRow }>`
    WITH d AS (
      UPDATE shop.discs SET quantity = quantity - ${o.quantity}, version = version + 1
      WHERE id = ${o.disc_id} RETURNING ${DISC_COLUMNS}
    ),
    o AS (
      INSERT INTO shop.purchase_orders (disc_id, customer_id, quantity, status, disc, customer, decided_at)
      SELECT d.id, ${o.customer_id}, ${o.quantity}, 'confirmed', to_jsonb(d), ${JSON.stringify(customer)}::jsonb,
        clock_timestamp() FROM d
      RETURNING ${ORDER_COLUMNS}
    )
    SELECT to_jsonb(o) AS "order" FROM o`.execute(trx);
  return { kind: 'ok', order: toOrder(inserted.rows[0]!.order) };
}

export interface Snapshot {
  customer: Record<string, unknown> | null;
  disc: { quantity: number; version: number } | null;
}

export async function readForOptimistic(db: Db, o: OrderCreate): Promise<Snapshot> {
  const { rows } = await sql<Snapshot>`
    SELECT (SELECT to_jsonb(c) FROM (${customerCte(o.customer_id)}) c) AS customer,
      (SELECT jsonb_build_object('quantity', quantity, 'version', version)
        FROM shop.discs WHERE id = ${o.disc_id}) AS disc`.execute(db);
  return rows[0]!;
}

/** Succeeds only if nobody changed the disc since `version` was read; no lock is waited for. */
export async function purchaseIfUnchanged(
  db: Db,
  o: OrderCreate,
  customer: Record<string, unknown>,
  version: number,
): Promise<Order | undefined> {
  const { rows } = await sql<{ order: OrderRow }>`
    WITH d AS (
      UPDATE shop.discs SET quantity = quantity - ${o.quantity}, version = version + 1
      WHERE id = ${o.disc_id} AND version = ${version} AND quantity >= ${o.quantity}
      RETURNING ${DISC_COLUMNS}
    ),
    o AS (
      INSERT INTO shop.purchase_orders (disc_id, customer_id, quantity, status, disc, customer, decided_at)
      SELECT d.id, ${o.customer_id}, ${o.quantity}, 'confirmed', to_jsonb(d), ${JSON.stringify(customer)}::jsonb,
        clock_timestamp() FROM d
      RETURNING ${ORDER_COLUMNS}
    )
    SELECT to_jsonb(o) AS "order" FROM o`.execute(db);
  return rows[0] ? toOrder(rows[0].order) : undefined;
}

/** Queued mode: store the order as pending; a job decides it. Early 409 when clearly sold out. */
export async function insertPending(trx: Db, o: OrderCreate): Promise<Outcome> {
  const { rows } = await sql<AttemptRow>`
    WITH c AS (${customerCte(o.customer_id)}),
    d AS (SELECT ${DISC_COLUMNS} FROM shop.discs WHERE id = ${o.disc_id}),
    o AS (
      INSERT INTO shop.purchase_orders (disc_id, customer_id, quantity, status, disc, customer)
      SELECT d.id, c.id, ${o.quantity}, 'pending', to_jsonb(d), to_jsonb(c) FROM d, c
      WHERE c.is_active AND d.quantity >= ${o.quantity}
      RETURNING ${ORDER_COLUMNS}
    )
    SELECT (SELECT to_jsonb(o) FROM o) AS "order", (SELECT is_active FROM c) AS customer_active,
      EXISTS (SELECT 1 FROM d) AS disc_exists`.execute(trx);
  return outcome(rows[0]!);
}

export async function pendingInOrder(db: Db, ids: string[]): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM shop.purchase_orders WHERE id = ANY(${ids}::uuid[]) AND status = 'pending'
    ORDER BY created_at, id`.execute(db);
  return rows.map((r) => r.id);
}

/** Reserves stock for one pending order, or rejects it; a no-op if it was already decided. */
export async function decidePending(trx: Db, orderId: string): Promise<Order['status'] | undefined> {
  const { rows } = await sql<{ status: Order['status'] }>`
    WITH o AS (
      SELECT id, disc_id, quantity FROM shop.purchase_orders WHERE id = ${orderId} AND status = 'pending' FOR UPDATE
    ),
    d AS (
      UPDATE shop.discs SET quantity = discs.quantity - o.quantity, version = version + 1
      FROM o WHERE discs.id = o.disc_id AND discs.quantity >= o.quantity
      RETURNING discs.id, discs.name, discs.artist, discs.year_of_release, discs.genre, discs.quantity
    )
    UPDATE shop.purchase_orders p SET
      status = CASE WHEN EXISTS (SELECT 1 FROM d) THEN 'confirmed' ELSE 'rejected' END,
      reason = CASE WHEN EXISTS (SELECT 1 FROM d) THEN NULL ELSE 'Disc is out of stock' END,
      disc = coalesce((SELECT to_jsonb(d) FROM d), p.disc),
      decided_at = clock_timestamp()
    FROM o WHERE p.id = o.id
    RETURNING p.status`.execute(trx);
  return rows[0]?.status;
}

export async function findOrder(db: Db, id: string): Promise<Order | undefined> {
  const { rows } =
    await sql<OrderRow>`SELECT ${ORDER_COLUMNS} FROM shop.purchase_orders WHERE id = ${id}`.execute(db);
  return rows[0] ? toOrder(rows[0]) : undefined;
}

export async function listOrders(db: Db, q: OrderQuery): Promise<Order[]> {
  const where = [sql`true`];
  if (q.customer_id) where.push(sql`customer_id = ${q.customer_id}`);
  if (q.disc_id) where.push(sql`disc_id = ${q.disc_id}`);
  if (q.status) where.push(sql`status = ${q.status}`);
  if (q.from) where.push(sql`created_at >= ${q.from}::timestamptz`);
  if (q.to) where.push(sql`created_at < ${q.to}::timestamptz`);
  const { rows } = await sql<OrderRow>`
    SELECT ${ORDER_COLUMNS} FROM shop.purchase_orders WHERE ${sql.join(where, sql` AND `)}
    ORDER BY created_at, id LIMIT ${q.limit} OFFSET ${q.offset}`.execute(db);
  return rows.map(toOrder);
}
