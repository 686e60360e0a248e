import { sql } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import type { User, UserCreate } from './users.schema.js';

export async function insertUser(db: AnyDb, u: UserCreate): Promise<User> {
  const { rows } = await sql<User>`
    INSERT INTO movies.users (name) VALUES (${u.name}) RETURNING id, name`.execute(db);
  return rows[0]!;
}

export async function findUser(db: AnyDb, id: number): Promise<User | undefined> {
  const { rows } = await sql<User>`SELECT id, name FROM movies.users WHERE id = ${id}`.execute(db);
  return rows[0];
}
