import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- queries here are raw SQL
type Db = Kysely<any>;

/** A claim older than this is taken to be from a process that died mid-request. */
const ABANDONED_AFTER = '60 seconds';

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'mismatch' }
  | { kind: 'running' };

/** Same body, same hash, whatever the order of its keys. */
export function requestHash(body: unknown): string {
  const canonical = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
        )
      : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('hex');
}

export async function claimKey(db: Db, key: string, hash: string): Promise<Claim> {
  const claimed = await sql`
    INSERT INTO shop.idempotency_keys (key, request_hash, status) VALUES (${key}, ${hash}, 'running')
    ON CONFLICT (key) DO UPDATE SET request_hash = EXCLUDED.request_hash, updated_at = now()
      WHERE idempotency_keys.status = 'running'
        AND idempotency_keys.updated_at < now() - ${ABANDONED_AFTER}::interval
    RETURNING key`.execute(db);
  if (claimed.rows.length) return { kind: 'claimed' };
  const { rows } = await sql<{
    request_hash: string;
    status: string;
    response_status: number;
    response_body: unknown;
  }>`
    SELECT request_hash, status, response_status, response_body FROM shop.idempotency_keys WHERE key = ${key}`.execute(
    db,
  );
  const row = rows[0];
  // Released between our insert and this read: the caller may retry at once.
  if (!row) return { kind: 'running' };
  if (row.request_hash !== hash) return { kind: 'mismatch' };
  if (row.status === 'running') return { kind: 'running' };
  return { kind: 'replay', status: row.response_status, body: row.response_body };
}

/** Records the answer; called inside the transaction that made the order, so both or neither. */
export async function completeKey(db: Db, key: string, status: number, body: unknown): Promise<void> {
  await sql`
    UPDATE shop.idempotency_keys
    SET status = 'done', response_status = ${status}, response_body = ${JSON.stringify(body)}::jsonb, updated_at = now()
    WHERE key = ${key}`.execute(db);
}

/** After a failure that the client may retry (5xx), the key must not stay claimed. */
export async function releaseKey(db: Db, key: string): Promise<void> {
  await sql`DELETE FROM shop.idempotency_keys WHERE key = ${key} AND status = 'running'`.execute(db);
}
