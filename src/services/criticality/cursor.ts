import { BadRequestError } from '../../platform/errors.js';

/**
 * Keyset cursors: the sort key of the last item of a page, as opaque base64url JSON. A page
 * after a cursor is then stable while rows are added, which an offset is not.
 */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The key a cursor holds, when `valid` accepts it; a 400 otherwise. */
export function decodeCursor<T>(cursor: string, valid: (key: unknown) => key is T): T {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!valid(key)) throw new BadRequestError('query.cursor is not a cursor this API gave out');
  return key;
}
