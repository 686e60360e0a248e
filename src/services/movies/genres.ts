/**
 * The genres a movie may have, stored and answered lowercase. The first five are the original's;
 * the list is the one source for the API check, its message and the table's CHECK constraint.
 */
export const GENRES = [
  'action',
  'comedy',
  'romance',
  'scifi',
  'horror',
  'drama',
  'thriller',
  'animation',
  'documentary',
  'fantasy',
] as const;
export type Genre = (typeof GENRES)[number];

const KNOWN = new Set<string>(GENRES);

/** The stored form of a genre given in any case, or nothing when it is not one of GENRES. */
export function toGenre(given: string): Genre | undefined {
  const lower = given.toLowerCase();
  return KNOWN.has(lower) ? (lower as Genre) : undefined;
}

/** The original's 400 detail, the list printed as Python prints one (FastAPI wrote it so). */
export const INVALID_GENRE = `Invalid genre provided, valid genres are [${GENRES.map((g) => `'${g}'`).join(', ')}]`;
