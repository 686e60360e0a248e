import { sql, type Kysely } from 'kysely';
import type { UserOut } from './auth.schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- queries here are raw SQL
type Db = Kysely<any>;

export interface NewUser {
  first_name: string;
  last_name: string;
  email: string;
  city: string | null;
  country: string | null;
  password_hash: string;
}

/** The new user, or undefined when the e-mail address is taken (concurrent sign-ups included). */
export async function insertUser(db: Db, u: NewUser): Promise<UserOut | undefined> {
  const { rows } = await sql<UserOut>`
    INSERT INTO showcase.users (first_name, last_name, email, city, country, password_hash)
    VALUES (${u.first_name}, ${u.last_name}, ${u.email}, ${u.city}, ${u.country}, ${u.password_hash})
    ON CONFLICT (email) DO NOTHING
    RETURNING id, first_name, last_name, email, city, country`.execute(db);
  return rows[0];
}

export async function emailTaken(db: Db, email: string): Promise<boolean> {
  const { rows } = await sql`SELECT 1 FROM showcase.users WHERE email = ${email}`.execute(db);
  return rows.length > 0;
}

export async function findLogin(
  db: Db,
  email: string,
): Promise<{ id: number; password_hash: string } | undefined> {
  const { rows } = await sql<{ id: number; password_hash: string }>`
    SELECT id, password_hash FROM showcase.users WHERE email = ${email}`.execute(db);
  return rows[0];
}
