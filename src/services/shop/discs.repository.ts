import { sql, type Kysely } from 'kysely';
import type { Disc, DiscCreate, DiscQuery, DiscUpdate } from './discs.schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- queries here are raw SQL
type Db = Kysely<any>;

const COLUMNS = sql`id, name, artist, year_of_release, genre, quantity`;

export async function insertDisc(db: Db, disc: DiscCreate): Promise<Disc> {
  const { rows } = await sql<Disc>`
    WITH d AS (
      INSERT INTO shop.discs (name, artist, year_of_release, genre, quantity)
      VALUES (${disc.name}, ${disc.artist}, ${disc.year_of_release}, ${disc.genre}, ${disc.quantity})
      RETURNING ${COLUMNS}
    ), m AS (
      INSERT INTO shop.stock_movements (disc_id, delta, reason) SELECT id, quantity, 'initial' FROM d
    )
    SELECT * FROM d`.execute(db);
  return rows[0]!;
}

export async function findDisc(db: Db, id: string): Promise<Disc | undefined> {
  const { rows } = await sql<Disc>`SELECT ${COLUMNS} FROM shop.discs WHERE id = ${id}`.execute(db);
  return rows[0];
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

export async function listDiscs(db: Db, q: DiscQuery): Promise<Disc[]> {
  const where = [sql`true`];
  for (const field of ['name', 'artist', 'genre'] as const) {
    const part = q[field];
    if (part !== undefined) where.push(sql`${sql.ref(field)} ILIKE ${'%' + escapeLike(part) + '%'}`);
    const exact = q[`${field}_exact`];
    if (exact !== undefined) where.push(sql`${sql.ref(field)} = ${exact}`);
  }
  if (q.year_of_release_min !== undefined) where.push(sql`year_of_release >= ${q.year_of_release_min}`);
  if (q.year_of_release_max !== undefined) where.push(sql`year_of_release <= ${q.year_of_release_max}`);
  const { rows } = await sql<Disc>`
    SELECT ${COLUMNS} FROM shop.discs WHERE ${sql.join(where, sql` AND `)}
    ORDER BY name, id LIMIT ${q.limit} OFFSET ${q.offset}`.execute(db);
  return rows;
}

/** A change of quantity is recorded in the ledger as an adjustment, in the same statement. */
export async function updateDisc(db: Db, id: string, patch: DiscUpdate): Promise<Disc | undefined> {
  const { rows } = await sql<Disc>`
    WITH old AS (SELECT id, quantity FROM shop.discs WHERE id = ${id} FOR UPDATE),
    d AS (
      UPDATE shop.discs SET
        name = coalesce(${patch.name ?? null}, name),
        artist = coalesce(${patch.artist ?? null}, artist),
        year_of_release = coalesce(${patch.year_of_release ?? null}::integer, year_of_release),
        genre = coalesce(${patch.genre ?? null}, genre),
        quantity = coalesce(${patch.quantity ?? null}::integer, quantity),
        version = version + 1
      WHERE id = (SELECT id FROM old)
      RETURNING ${COLUMNS}
    ), m AS (
      INSERT INTO shop.stock_movements (disc_id, delta, reason)
      SELECT d.id, d.quantity - old.quantity, 'adjustment' FROM d JOIN old USING (id)
      WHERE d.quantity <> old.quantity
    )
    SELECT * FROM d`.execute(db);
  return rows[0];
}

export type DeleteOutcome = 'deleted' | 'missing' | 'has-orders';

export async function deleteDisc(db: Db, id: string): Promise<DeleteOutcome> {
  const { rows } = await sql<{ outcome: DeleteOutcome }>`
    WITH target AS (SELECT id FROM shop.discs WHERE id = ${id} FOR UPDATE),
    used AS (SELECT EXISTS (SELECT 1 FROM shop.purchase_orders WHERE disc_id = ${id}) AS has_orders),
    gone AS (
      DELETE FROM shop.discs WHERE id = (SELECT id FROM target) AND NOT (SELECT has_orders FROM used) RETURNING id
    )
    SELECT CASE
      WHEN EXISTS (SELECT 1 FROM gone) THEN 'deleted'
      WHEN NOT EXISTS (SELECT 1 FROM target) THEN 'missing'
      ELSE 'has-orders' END AS outcome`.execute(db);
  return rows[0]!.outcome;
}

export interface StockRow {
  disc_id: string;
  initial: number;
  sold: number;
  remaining: number;
  pending: number;
}

export async function stockOf(db: Db, id: string): Promise<StockRow | undefined> {
  const { rows } = await sql<StockRow>`
    SELECT d.id AS disc_id, d.quantity AS remaining,
      (SELECT coalesce(sum(delta), 0)::bigint FROM shop.stock_movements WHERE disc_id = d.id) AS initial,
      (SELECT coalesce(sum(quantity), 0)::bigint FROM shop.purchase_orders
        WHERE disc_id = d.id AND status = 'confirmed') AS sold,
      (SELECT coalesce(sum(quantity), 0)::bigint FROM shop.purchase_orders
        WHERE disc_id = d.id AND status = 'pending') AS pending
    FROM shop.discs d WHERE d.id = ${id}`.execute(db);
  return rows[0];
}
