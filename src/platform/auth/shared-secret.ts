import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { AnyDb } from '../db/database.js';

/**
 * A secret every instance of the deployment agrees on without anyone configuring it, such as a
 * token signing key: made at random (256 bits) by whichever instance asks first and kept in the
 * database, so it also survives restarts. A deployment that sets its own (from the environment)
 * does not need this.
 */
export async function sharedSecret(db: AnyDb, name: string): Promise<string> {
  await sql`INSERT INTO platform.secrets (name, value) VALUES (${name}, ${randomBytes(32).toString('base64url')})
    ON CONFLICT (name) DO NOTHING`.execute(db);
  // A second statement: it sees the row of a concurrent first caller, which the insert's own
  // snapshot might not.
  const { rows } = await sql<{
    value: string;
  }>`SELECT value FROM platform.secrets WHERE name = ${name}`.execute(db);
  return rows[0]!.value;
}
