import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Secrets the instances of one deployment must share (a token signing key), made on first use.
    CREATE TABLE platform.secrets (
      name text PRIMARY KEY,
      value text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    -- Attempts counted per key (an account, an address) in fixed windows, shared by every instance.
    CREATE TABLE platform.attempts (
      key text PRIMARY KEY,
      count integer NOT NULL,
      expires_at timestamptz NOT NULL
    );
    CREATE INDEX attempts_expiry ON platform.attempts (expires_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE platform.attempts, platform.secrets`.execute(db);
}
