import { sql, type Kysely } from 'kysely';
import type { Affiliate, AffiliateQuery } from './affiliates.schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- queries here are raw SQL
type Db = Kysely<any>;

interface AffiliateRow {
  id: string;
  name: string;
  created_at: Date;
}

const toAffiliate = (r: AffiliateRow): Affiliate => ({
  id: r.id,
  name: r.name,
  created_at: r.created_at.toISOString(),
});

export async function insertAffiliate(db: Db, name: string): Promise<Affiliate> {
  const { rows } = await sql<AffiliateRow>`
    INSERT INTO tracking.affiliates (name) VALUES (${name}) RETURNING id, name, created_at`.execute(db);
  return toAffiliate(rows[0]!);
}

export async function findAffiliate(db: Db, id: string): Promise<Affiliate | undefined> {
  const { rows } = await sql<AffiliateRow>`
    SELECT id, name, created_at FROM tracking.affiliates WHERE id = ${id}`.execute(db);
  return rows[0] && toAffiliate(rows[0]);
}

export async function listAffiliates(db: Db, q: AffiliateQuery): Promise<Affiliate[]> {
  const { rows } = await sql<AffiliateRow>`
    SELECT id, name, created_at FROM tracking.affiliates
    ORDER BY created_at DESC, id DESC LIMIT ${q.limit} OFFSET ${q.offset}`.execute(db);
  return rows.map(toAffiliate);
}

export async function renameAffiliate(db: Db, id: string, name: string): Promise<Affiliate | undefined> {
  const { rows } = await sql<AffiliateRow>`
    UPDATE tracking.affiliates SET name = ${name} WHERE id = ${id} RETURNING id, name, created_at`.execute(
    db,
  );
  return rows[0] && toAffiliate(rows[0]);
}
