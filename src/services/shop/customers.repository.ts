import { sql, type Kysely } from 'kysely';
import type { Customer, CustomerCreate, CustomerUpdate } from './customers.schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- queries here are raw SQL
type Db = Kysely<any>;

const COLUMNS = sql`id, document, name, birth_date, email, phone, is_active`;

export async function insertCustomer(db: Db, c: CustomerCreate): Promise<Customer> {
  const { rows } = await sql<Customer>`
    INSERT INTO shop.customers (document, name, birth_date, email, phone)
    VALUES (${c.document}, ${c.name}, ${c.birth_date}, ${c.email}, ${c.phone})
    RETURNING ${COLUMNS}`.execute(db);
  return rows[0]!;
}

export async function findCustomer(db: Db, id: string): Promise<Customer | undefined> {
  const { rows } = await sql<Customer>`SELECT ${COLUMNS} FROM shop.customers WHERE id = ${id}`.execute(db);
  return rows[0];
}

export async function updateCustomer(db: Db, id: string, p: CustomerUpdate): Promise<Customer | undefined> {
  const { rows } = await sql<Customer>`
    UPDATE shop.customers SET
      document = coalesce(${p.document ?? null}, document),
      name = coalesce(${p.name ?? null}, name),
      birth_date = coalesce(${p.birth_date ?? null}::date, birth_date),
      email = coalesce(${p.email ?? null}, email),
      phone = coalesce(${p.phone ?? null}, phone),
      is_active = coalesce(${p.is_active ?? null}::boolean, is_active)
    WHERE id = ${id}
    RETURNING ${COLUMNS}`.execute(db);
  return rows[0];
}
