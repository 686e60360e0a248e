import { GENRES, type Genre } from '../genres.js';
import { mulberry32, subSeed, type Random } from './random.js';
import { ADJECTIVES, FIRST_NAMES, LAST_NAMES, NOUNS, PLACES } from './words.js';

export interface CatalogueOptions {
  movies: number;
  users: number;
  ratings: number;
  seed: number;
}

export interface MovieRow {
  id: number;
  name: string;
  release_year: number;
  description: string;
  genre: Genre;
}
export interface UserRow {
  id: number;
  name: string;
}
export interface RatingRow {
  user: number;
  movie: number;
  score: number;
}

/** A generated catalogue: ids are 1..n; every iterator can be run again and yields the same rows. */
export interface Catalogue {
  counts: { movies: number; users: number; ratings: number };
  movieRows(): Generator<MovieRow>;
  userRows(): Generator<UserRow>;
  /** User by user, each (user, movie) at most once. */
  ratingRows(): Generator<RatingRow>;
  movieInfo(id: number): { genre: Genre; year: number } | undefined;
}

/** Shares of the catalogue by genre, roughly as film databases have them; others get 5 %. */
const GENRE_SHARE: Partial<Record<Genre, number>> = {
  drama: 0.2,
  comedy: 0.15,
  action: 0.13,
  thriller: 0.1,
  romance: 0.09,
  horror: 0.08,
  scifi: 0.08,
  animation: 0.06,
  documentary: 0.06,
  fantasy: 0.05,
};
const FIRST_YEAR = 1950;
const LAST_YEAR = 2025;
/** Pareto exponent of the movies' popularity: near 1 gives Zipf's long tail. */
const POPULARITY_TAIL = 1.2;
/** No user rates more than this share of the catalogue, so drawing without repeats stays quick. */
const MAX_SHARE_PER_USER = 0.3;

interface Taste {
  affinity: Float64Array;
  era: number;
  bias: number;
}

export function generateCatalogue(opts: CatalogueOptions): Catalogue {
  const M = opts.movies;
  const U = opts.users;
  const G = GENRES.length;
  const rnd = mulberry32(subSeed(opts.seed, 0));

  // Per movie: genre, year, hidden quality and popularity weight; small enough to hold (M entries).
  const genre = new Uint8Array(M);
  const year = new Int16Array(M);
  const quality = new Float32Array(M);
  const weight = new Float64Array(M);
  const shares = GENRES.map((g) => GENRE_SHARE[g] ?? 0.05);
  for (let i = 0; i < M; i++) {
    genre[i] = drawIndex(rnd, shares);
    // A density rising linearly towards now: more films are made, and more recent ones are seen.
    year[i] = FIRST_YEAR + Math.floor((LAST_YEAR - FIRST_YEAR + 1) * Math.sqrt(rnd.next()));
    weight[i] = Math.pow(1 - rnd.next(), -1 / POPULARITY_TAIL);
    // Popular films are a little better on average, not always.
    quality[i] = 0.4 * rnd.normal() + 0.12 * Math.log(weight[i]!);
  }
  const byGenre = Array.from({ length: G }, (_, g) => cumulative(weight, genre, g));
  const genreMass = byGenre.map((b) => (b.cum.length ? b.cum[b.cum.length - 1]! : 0));

  const perUser = allocate(rnd, U, opts.ratings, Math.max(1, Math.floor(M * MAX_SHARE_PER_USER)));
  let total = 0;
  for (const n of perUser) total += n;

  const taste = (user: number): Taste => {
    const r = mulberry32(subSeed(opts.seed, user, 2));
    const affinity = new Float64Array(G);
    for (let g = 0; g < G; g++) affinity[g] = 0.3 * r.normal();
    for (let k = 0; k < 2; k++) affinity[r.int(G)]! += 0.8 + 0.4 * r.next();
    affinity[r.int(G)]! -= 0.8;
    return { affinity, era: Math.max(-1, Math.min(1, 0.6 * r.normal())), bias: 0.35 * r.normal() };
  };
  const eraOf = (i: number) => (2 * (year[i]! - FIRST_YEAR)) / (LAST_YEAR - FIRST_YEAR) - 1;

  return {
    counts: { movies: M, users: U, ratings: total },
    *movieRows() {
      for (let i = 0; i < M; i++) {
        const r = mulberry32(subSeed(opts.seed, i + 1, 1));
        const g = GENRES[genre[i]!]!;
        yield { id: i + 1, name: title(r), release_year: year[i]!, description: blurb(r, g), genre: g };
      }
    },
    *userRows() {
      for (let u = 1; u <= U; u++) {
        const r = mulberry32(subSeed(opts.seed, u, 3));
        yield { id: u, name: `${r.pick(FIRST_NAMES)} ${r.pick(LAST_NAMES)}` };
      }
    },
    *ratingRows() {
      const seen = new Set<number>();
      const genreProb = new Float64Array(G);
      for (let u = 1; u <= U; u++) {
        const n = perUser[u - 1]!;
        if (n === 0) continue;
        const t = taste(u);
        const r = mulberry32(subSeed(opts.seed, u, 4));
        // People watch mostly what they like: genres drawn by mass times taste.
        for (let g = 0; g < G; g++) genreProb[g] = genreMass[g]! * Math.exp(1.2 * t.affinity[g]!);
        seen.clear();
        for (let k = 0; k < n; k++) {
          const i = drawMovie(r, t, seen, genreProb, byGenre, eraOf, M);
          seen.add(i);
          const utility =
            2.9 +
            t.bias +
            quality[i]! +
            0.9 * t.affinity[genre[i]!]! +
            0.4 * t.era * eraOf(i) +
            0.7 * r.normal();
          yield { user: u, movie: i + 1, score: Math.max(1, Math.min(5, Math.round(utility))) };
        }
      }
    },
    movieInfo(id) {
      const i = id - 1;
      if (!Number.isInteger(id) || i < 0 || i >= M) return undefined;
      return { genre: GENRES[genre[i]!]!, year: year[i]! };
    },
  };
}

/** A movie this user has not rated yet: by genre taste, popularity and era, without repeats. */
function drawMovie(
  r: Random,
  t: Taste,
  seen: Set<number>,
  genreProb: Float64Array,
  byGenre: { ids: Int32Array; cum: Float64Array }[],
  eraOf: (i: number) => number,
  M: number,
): number {
  for (let attempt = 0; attempt < 200; attempt++) {
    const b = byGenre[drawIndex(r, genreProb)]!;
    if (b.ids.length === 0) continue;
    const i = b.ids[search(b.cum, r.next() * b.cum[b.cum.length - 1]!)]!;
    if (seen.has(i)) continue;
    // Someone fond of old films passes over more recent ones, and the other way round.
    if (r.next() > 0.5 + 0.5 * t.era * eraOf(i)) continue;
    return i;
  }
  // Rare (a heavy rater of a small catalogue): any movie not yet rated.
  for (let i = r.int(M), k = 0; k < M; k++, i = (i + 1) % M) if (!seen.has(i)) return i;
  throw new Error('the user has rated every movie');
}

/** How many ratings each user gives: a heavy-tailed activity, summing to `total` where it fits. */
function allocate(rnd: Random, users: number, total: number, cap: number): Uint32Array {
  const activity = new Float64Array(users);
  let sum = 0;
  for (let u = 0; u < users; u++) sum += activity[u] = Math.exp(1.1 * rnd.normal());
  const counts = new Uint32Array(users);
  let given = 0;
  let cum = 0;
  for (let u = 0; u < users; u++) {
    cum += activity[u]!;
    const upto = Math.round((total * cum) / sum);
    counts[u] = Math.min(cap, upto - given);
    given += counts[u]!;
  }
  // Whatever the cap cut off goes to users with room left.
  for (let u = 0; given < total && u < users; u++) {
    const more = Math.min(cap - counts[u]!, total - given);
    counts[u]! += more;
    given += more;
  }
  return counts;
}

function cumulative(weight: Float64Array, genre: Uint8Array, g: number) {
  const ids: number[] = [];
  for (let i = 0; i < weight.length; i++) if (genre[i] === g) ids.push(i);
  const cum = new Float64Array(ids.length);
  let s = 0;
  ids.forEach((i, k) => (cum[k] = s += weight[i]!));
  return { ids: Int32Array.from(ids), cum };
}

/** The first index whose cumulative weight exceeds x. */
function search(cum: Float64Array, x: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function drawIndex(r: Random, weights: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i]!;
  let x = r.next() * total;
  for (let i = 0; i < weights.length; i++) if ((x -= weights[i]!) < 0) return i;
  return weights.length - 1;
}

function title(r: Random): string {
  const base = [
    () => `The ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)}`,
    () => `${r.pick(NOUNS)} of ${r.pick(PLACES)}`,
    () => `${r.pick(ADJECTIVES)} ${r.pick(NOUNS)}`,
    () => `Return to ${r.pick(PLACES)}`,
    () => `The ${r.pick(NOUNS)} and the ${r.pick(NOUNS)}`,
  ][r.int(5)]!();
  return r.next() < 0.08 ? `${base} ${['II', 'III', 'Returns'][r.int(3)]}` : base;
}

function blurb(r: Random, g: Genre): string {
  const adjective = r.pick(ADJECTIVES).toLowerCase();
  const article = /^[aeiou]/.test(adjective) ? 'An' : 'A';
  return `${article} ${adjective} ${g} about a ${r.pick(NOUNS).toLowerCase()} in ${r.pick(PLACES)}.`;
}
