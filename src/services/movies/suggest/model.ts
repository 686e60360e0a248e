import { topNeighbours, type Sparse } from './similarity.js';

export interface MovieMeta {
  id: number;
  genre: string;
  year: number;
}
export interface RatingInput {
  user: number;
  movie: number;
  score: number;
}
export interface Neighbour {
  id: number;
  sim: number;
}
/** A movie's popularity: its ranking score, how many rated it, and their mean score. */
export interface Popularity {
  id: number;
  score: number;
  count: number;
  mean: number;
}

export interface ModelOptions {
  /** K, the neighbours kept per movie (default 50): the request path reads n_u·K of them. */
  neighbours?: number;
  /** Co-raters at which a similarity counts half (default 10). */
  shrinkage?: number;
}

/** What recommend, similar and predict read: all of it precomputed, each read a lookup. */
export interface Model {
  globalMean: number;
  /** Every rated movie, most popular first. */
  popular: readonly Popularity[];
  /** The movie's K most similar movies, most similar first; [] for a movie without any. */
  neighbours(movieId: number): readonly Neighbour[];
  stats(movieId: number): Popularity | undefined;
  /** The movie's mean pulled towards the global mean by its number of ratings. */
  baseline(movieId: number): number;
}

/** The rows the serving code stores in PostgreSQL and gives back to `modelFromRows`. */
export interface NeighbourRow {
  movie: number;
  neighbour: number;
  sim: number;
}
export interface PopularityRow {
  movie: number;
  score: number;
  count: number;
  mean: number;
}
export interface ModelRows {
  globalMean: number;
  neighbours: Iterable<NeighbourRow>;
  popularity: Iterable<PopularityRow>;
}

/** Ratings a movie needs before its own mean outweighs the global one (Bayesian average). */
export const PRIOR_RATINGS = 10;
/** Ratings of a user's own before their mean outweighs the global one. */
export const USER_PRIOR = 3;

/**
 * Builds the model from the catalogue and every rating: one pass to read the ratings into two
 * compressed layouts, then the neighbour lists (see `topNeighbours` for the cost).
 * Ratings of a movie not in `movies` are ignored; a repeated (user, movie) counts each time.
 */
export function buildModel(
  movies: readonly MovieMeta[],
  ratings: Iterable<RatingInput>,
  opts: ModelOptions = {},
): Model {
  const K = opts.neighbours ?? 50;
  const shrinkage = opts.shrinkage ?? 10;
  const index = new Map<number, number>();
  movies.forEach((m, i) => index.set(m.id, i));
  const userIndex = new Map<number, number>();
  let us = new Int32Array(1024);
  let ms = new Int32Array(1024);
  let sc = new Uint8Array(1024);
  let n = 0;
  for (const r of ratings) {
    const i = index.get(r.movie);
    if (i === undefined) continue;
    let u = userIndex.get(r.user);
    if (u === undefined) userIndex.set(r.user, (u = userIndex.size));
    if (n === us.length) [us, ms, sc] = [grow(us), grow(ms), grow(sc)];
    us[n] = u;
    ms[n] = i;
    sc[n++] = r.score;
  }
  const M = movies.length;
  const U = userIndex.size;
  let total = 0;
  const userSum = new Float64Array(U);
  const userCount = new Int32Array(U);
  const itemSum = new Float64Array(M);
  const itemCount = new Int32Array(M);
  for (let k = 0; k < n; k++) {
    total += sc[k]!;
    userSum[us[k]!]! += sc[k]!;
    userCount[us[k]!]!++;
    itemSum[ms[k]!]! += sc[k]!;
    itemCount[ms[k]!]!++;
  }
  const globalMean = n ? total / n : 3;
  const userMean = userSum.map((s, u) => (s + USER_PRIOR * globalMean) / (userCount[u]! + USER_PRIOR));
  const sparse = layout(n, M, U, us, ms, (k) => sc[k]! - userMean[us[k]!]!, itemCount, userCount);
  const lists = topNeighbours(sparse, M, K, shrinkage);

  const neighbours: NeighbourRow[] = [];
  for (let i = 0; i < M; i++)
    for (let p = lists.start[i]!; p < lists.start[i + 1]!; p++)
      neighbours.push({ movie: movies[i]!.id, neighbour: movies[lists.item[p]!]!.id, sim: lists.sim[p]! });
  const popularity: PopularityRow[] = [];
  for (let i = 0; i < M; i++) {
    const count = itemCount[i]!;
    if (count === 0) continue;
    const mean = itemSum[i]! / count;
    popularity.push({ movie: movies[i]!.id, score: popularityScore(count, mean, globalMean), count, mean });
  }
  return modelFromRows({ globalMean, neighbours, popularity });
}

/**
 * How many rated the movie, weighted by how well: count × (Bayesian mean − 1) / 4. A plain count
 * lifts a much-watched flop; a plain mean lifts a movie two people loved.
 */
export function popularityScore(count: number, mean: number, globalMean: number): number {
  const bayes = (count * mean + PRIOR_RATINGS * globalMean) / (count + PRIOR_RATINGS);
  return (count * (bayes - 1)) / 4;
}

/** A model from its stored rows: what the serving code rebuilds after reading them back. */
export function modelFromRows(rows: ModelRows): Model {
  const lists = new Map<number, Neighbour[]>();
  for (const r of rows.neighbours) {
    let list = lists.get(r.movie);
    if (!list) lists.set(r.movie, (list = []));
    list.push({ id: r.neighbour, sim: r.sim });
  }
  for (const list of lists.values()) list.sort((a, b) => b.sim - a.sim || a.id - b.id);
  const popular: Popularity[] = [];
  for (const p of rows.popularity)
    popular.push({ id: p.movie, score: p.score, count: p.count, mean: p.mean });
  popular.sort((a, b) => b.score - a.score || a.id - b.id);
  const byId = new Map(popular.map((p) => [p.id, p]));
  const { globalMean } = rows;
  return {
    globalMean,
    popular,
    neighbours: (id) => lists.get(id) ?? [],
    stats: (id) => byId.get(id),
    baseline(id) {
      const p = byId.get(id);
      return p ? (p.count * p.mean + PRIOR_RATINGS * globalMean) / (p.count + PRIOR_RATINGS) : globalMean;
    },
  };
}

/** The model as rows to store: one per (movie, neighbour) and one per rated movie. */
export function serialize(model: Model): {
  globalMean: number;
  neighbours: NeighbourRow[];
  popularity: PopularityRow[];
} {
  const neighbours: NeighbourRow[] = [];
  for (const p of model.popular)
    for (const n of model.neighbours(p.id)) neighbours.push({ movie: p.id, neighbour: n.id, sim: n.sim });
  return {
    globalMean: model.globalMean,
    neighbours,
    popularity: model.popular.map((p) => ({ movie: p.id, score: p.score, count: p.count, mean: p.mean })),
  };
}

function layout(
  n: number,
  M: number,
  U: number,
  us: Int32Array,
  ms: Int32Array,
  residual: (k: number) => number,
  itemCount: Int32Array,
  userCount: Int32Array,
): Sparse {
  const itemStart = offsets(itemCount);
  const userStart = offsets(userCount);
  const itemUser = new Int32Array(n);
  const itemRes = new Float32Array(n);
  const userItem = new Int32Array(n);
  const userRes = new Float32Array(n);
  const itemAt = itemStart.slice(0, M);
  const userAt = userStart.slice(0, U);
  for (let k = 0; k < n; k++) {
    const r = residual(k);
    const a = itemAt[ms[k]!]!++;
    itemUser[a] = us[k]!;
    itemRes[a] = r;
    const b = userAt[us[k]!]!++;
    userItem[b] = ms[k]!;
    userRes[b] = r;
  }
  return { itemStart, itemUser, itemRes, userStart, userItem, userRes };
}

function offsets(counts: Int32Array): Int32Array {
  const start = new Int32Array(counts.length + 1);
  for (let i = 0; i < counts.length; i++) start[i + 1] = start[i]! + counts[i]!;
  return start;
}

function grow<T extends Int32Array | Uint8Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}
