import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { AnyDb } from '../db/database.js';
import { TooManyRequestsError } from '../errors.js';

export interface AttemptLimit {
  /** Attempts allowed per key in one window. */
  limit: number;
  windowSeconds: number;
}

const SWEEP_EVERY_MS = 60 * 60 * 1000;
let lastSweep = 0;

/**
 * Keys come from clients (an e-mail address, say): a long one is stored as its hash, since a
 * B-tree entry over about 2.7 kB is an error, and a client must not turn its attempt into a 500.
 */
const stored = (key: string) =>
  key.length <= 200 ? key : `sha256:${createHash('sha256').update(key).digest('base64url')}`;

/**
 * Counts one attempt for each key (say the account and the client's address of a login) and
 * throws a 429 with Retry-After when any key is over its limit in the current window. The counts
 * live in PostgreSQL, so every instance behind the load balancer shares them. Fixed windows: a
 * client may get up to twice the limit across a window's edge, and never more.
 */
export async function limitAttempts(
  db: AnyDb,
  keys: string[],
  opts: AttemptLimit,
  detail: string,
): Promise<void> {
  const unique = [...new Set(keys.map(stored))];
  const { rows } = await sql<{ count: number; retry_after: number }>`
    INSERT INTO platform.attempts AS a (key, count, expires_at)
    SELECT k, 1, now() + make_interval(secs => ${opts.windowSeconds}) FROM unnest(${unique}::text[]) AS k
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN a.expires_at <= now() THEN 1 ELSE a.count + 1 END,
      expires_at = CASE WHEN a.expires_at <= now() THEN EXCLUDED.expires_at ELSE a.expires_at END
    RETURNING a.count, extract(epoch FROM a.expires_at - now())::float8 AS retry_after`.execute(db);
  if (Date.now() - lastSweep > SWEEP_EVERY_MS) {
    lastSweep = Date.now();
    void sweepAttempts(db).catch(() => undefined);
  }
  const over = rows.filter((row) => row.count > opts.limit);
  if (over.length > 0)
    throw new TooManyRequestsError(detail, Math.max(...over.map((row) => row.retry_after)));
}

/** Forgets a key's attempts (after a successful login, say). */
export async function clearAttempts(db: AnyDb, key: string): Promise<void> {
  await sql`DELETE FROM platform.attempts WHERE key = ${stored(key)}`.execute(db);
}

/** Deletes the counters whose window is over; run now and then, so old keys do not pile up. */
export async function sweepAttempts(db: AnyDb): Promise<number> {
  const result = await sql`DELETE FROM platform.attempts WHERE expires_at < now()`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
