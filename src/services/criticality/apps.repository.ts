import { sql, type Kysely } from 'kysely';
import type { AppInfo } from './apps.schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- queries here are raw SQL
type Db = Kysely<any>;

interface AppDbRow {
  name: string;
  created_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = sql`name, created_at, rotated_at, revoked_at`;

export const toAppInfo = (r: AppDbRow): AppInfo => ({
  name: r.name,
  created_at: r.created_at.toISOString(),
  rotated_at: r.rotated_at?.toISOString() ?? null,
  revoked_at: r.revoked_at?.toISOString() ?? null,
  active: r.revoked_at === null,
});

/** Registers a new app, or again one that was revoked; undefined when it is registered and active. */
export async function registerApp(db: Db, name: string, digest: Buffer): Promise<AppInfo | undefined> {
  const { rows } = await sql<AppDbRow>`
    INSERT INTO criticality.apps AS a (name, token_digest) VALUES (${name}, ${digest})
    ON CONFLICT (name) DO UPDATE SET token_digest = EXCLUDED.token_digest, created_at = now(),
      rotated_at = NULL, revoked_at = NULL
      WHERE a.revoked_at IS NOT NULL
    RETURNING ${COLUMNS}`.execute(db);
  return rows[0] && toAppInfo(rows[0]);
}

export async function listApps(db: Db): Promise<AppInfo[]> {
  const { rows } = await sql<AppDbRow>`SELECT ${COLUMNS} FROM criticality.apps ORDER BY name`.execute(db);
  return rows.map(toAppInfo);
}

export async function findAppInfo(db: Db, name: string): Promise<AppInfo | undefined> {
  const { rows } = await sql<AppDbRow>`
    SELECT ${COLUMNS} FROM criticality.apps WHERE name = ${name}`.execute(db);
  return rows[0] && toAppInfo(rows[0]);
}

/** Replaces the token of an active app; undefined when there is none of that name, or it is revoked. */
export async function rotateApp(db: Db, name: string, digest: Buffer): Promise<AppInfo | undefined> {
  const { rows } = await sql<AppDbRow>`
    UPDATE criticality.apps SET token_digest = ${digest}, rotated_at = now()
     WHERE name = ${name} AND revoked_at IS NULL RETURNING ${COLUMNS}`.execute(db);
  return rows[0] && toAppInfo(rows[0]);
}

/** Revokes an app (once: revoking again keeps the first moment); undefined when unknown. */
export async function revokeApp(db: Db, name: string): Promise<AppInfo | undefined> {
  const { rows } = await sql<AppDbRow>`
    UPDATE criticality.apps SET revoked_at = coalesce(revoked_at, now())
     WHERE name = ${name} RETURNING ${COLUMNS}`.execute(db);
  return rows[0] && toAppInfo(rows[0]);
}
