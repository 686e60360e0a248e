import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearAttempts, limitAttempts, sweepAttempts } from '../../src/platform/auth/attempts.js';
import { sharedSecret } from '../../src/platform/auth/shared-secret.js';
import type { Database } from '../../src/platform/db/database.js';
import { HttpError } from '../../src/platform/errors.js';
import { platformSchema } from '../../src/platform/migrations/schema.js';
import { migratedTestDatabase } from '../helpers.js';

let database: Database;

beforeAll(async () => (database = await migratedTestDatabase([platformSchema], 8)));
afterAll(() => database?.close());

describe('sharedSecret', () => {
  it('makes one secret however many instances ask at once, and keeps it', async () => {
    const first = await Promise.all(Array.from({ length: 8 }, () => sharedSecret(database.db, 'jwt')));
    expect(new Set(first).size).toBe(1);
    expect(Buffer.from(first[0]!, 'base64url')).toHaveLength(32);
    expect(await sharedSecret(database.db, 'jwt')).toBe(first[0]);
    expect(await sharedSecret(database.db, 'other')).not.toBe(first[0]);
  });
});

describe('limitAttempts', () => {
  const refusal = async (keys: string[], limit = 3, windowSeconds = 60) => {
    try {
      await limitAttempts(
        database.db,
        keys,
        { limit, windowSeconds },
        'Too many login attempts; wait and retry',
      );
      return undefined;
    } catch (err) {
      return err as HttpError;
    }
  };

  it('allows the limit, then refuses with 429 and how long to wait', async () => {
    for (let i = 0; i < 3; i++) expect(await refusal(['account:ana'])).toBeUndefined();
    const err = await refusal(['account:ana']);
    expect(err).toBeInstanceOf(HttpError);
    expect(err!.statusCode).toBe(429);
    expect(err!.message).toBe('Too many login attempts; wait and retry');
    expect(Number(err!.headers['retry-after'])).toBeGreaterThanOrEqual(59);
    expect(Number(err!.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('counts each key apart, and refuses when any one of them is over', async () => {
    expect(await refusal(['account:bea', 'ip:10.0.0.1'])).toBeUndefined();
    expect(await refusal(['account:bea', 'ip:10.0.0.1'])).toBeUndefined();
    expect(await refusal(['account:bea', 'ip:10.0.0.1'])).toBeUndefined();
    // The address is spent; another account from it is refused, the account from elsewhere too.
    expect((await refusal(['account:carla', 'ip:10.0.0.1']))?.statusCode).toBe(429);
    expect((await refusal(['account:bea', 'ip:10.0.0.2']))?.statusCode).toBe(429);
    expect(await refusal(['account:dora', 'ip:10.0.0.2'])).toBeUndefined();
  });

  it('takes keys of any length, a long one stored as its hash', async () => {
    // Random, so PostgreSQL cannot compress it under the index's limit.
    const long = `account:${randomBytes(5000).toString('hex')}@example.com`;
    for (let i = 0; i < 3; i++) expect(await refusal([long])).toBeUndefined();
    expect((await refusal([long]))?.statusCode).toBe(429);
    expect(await refusal([`${long}.org`])).toBeUndefined();
    await clearAttempts(database.db, long);
    expect(await refusal([long])).toBeUndefined();
  });

  it('counts a key named twice in one call once', async () => {
    for (let i = 0; i < 3; i++) expect(await refusal(['dup', 'dup'])).toBeUndefined();
    expect((await refusal(['dup']))?.statusCode).toBe(429);
  });

  it('holds under concurrent attempts from several instances: exactly the limit gets through', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => refusal(['account:eva'], 5)));
    expect(results.filter((r) => r === undefined)).toHaveLength(5);
    expect(results.filter((r) => r?.statusCode === 429)).toHaveLength(15);
  });

  it('starts a new window once the last one is over, and forgets a cleared key', async () => {
    expect(await refusal(['account:fe'], 1, 1)).toBeUndefined();
    expect((await refusal(['account:fe'], 1, 1))?.statusCode).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await refusal(['account:fe'], 1, 1)).toBeUndefined();
    await clearAttempts(database.db, 'account:fe');
    expect(await refusal(['account:fe'], 1, 1)).toBeUndefined();
  });

  it('sweeps the counters whose window is over', async () => {
    await refusal(['account:gone'], 5, 1);
    await sql`UPDATE platform.attempts SET expires_at = now() - interval '1 second' WHERE key = 'account:gone'`.execute(
      database.db,
    );
    expect(await sweepAttempts(database.db)).toBeGreaterThanOrEqual(1);
    const { rows } = await sql`SELECT 1 FROM platform.attempts WHERE key = 'account:gone'`.execute(
      database.db,
    );
    expect(rows).toHaveLength(0);
    expect(
      (await sql`SELECT 1 FROM platform.attempts WHERE key = 'account:ana'`.execute(database.db)).rows,
    ).toHaveLength(1);
  });
});
