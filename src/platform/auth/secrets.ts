import { createHash, timingSafeEqual } from 'node:crypto';
import { hash, verify, type Options } from '@node-rs/argon2';

// OWASP's password storage cheat sheet, first choice: argon2id, 19 MiB, 2 passes, 1 lane. A check
// took 19-23 ms of one core here: slow for a guesser, affordable for a login.
// (`Algorithm.Argon2id` is 2: a const enum, which modules compiled one by one cannot read.)
const ARGON2ID: Options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** A password or API token as stored: argon2id with a random salt, in the PHC string format. */
export function hashSecret(plain: string): Promise<string> {
  return hash(plain, ARGON2ID);
}

let decoy: Promise<string> | undefined;

/**
 * Whether `plain` matches `stored`. With nothing stored (an unknown account) it still spends a
 * verification on a decoy and answers false, so the answer's time does not tell which accounts
 * exist.
 */
export async function verifySecret(stored: string | undefined, plain: string): Promise<boolean> {
  if (stored === undefined) {
    decoy ??= hashSecret('decoy');
    await verify(await decoy, plain);
    return false;
  }
  return verify(stored, plain);
}

/**
 * Compares a given token with the expected one in constant time. Both are hashed first, so
 * neither the content nor the length of the expected token leaks through timing.
 */
export function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
