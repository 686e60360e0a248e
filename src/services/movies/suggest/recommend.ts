import { USER_PRIOR, type Model, type Popularity } from './model.js';
import { TopK } from './similarity.js';

export interface UserRating {
  movie: number;
  score: number;
}
export interface Suggestion {
  movie: number;
  score: number;
  reason: string;
}
export interface RecommendOptions {
  limit: number;
  /** Only movies of this genre. */
  genre?: string;
  movieInfo: (id: number) => { genre: string; year: number } | undefined;
  /** Overrides of TUNING, for the evaluation's comparisons. */
  tuning?: Partial<Tuning>;
}

export interface Tuning {
  blendAt: number;
  liftResidual: number;
  profileDepth: number;
  eraYears: number;
  cfPopularity: number;
  maxRated: number;
}

/** The tuning `crucible eval movies` chose; see docs/movies.md. */
export const TUNING: Readonly<Tuning> = {
  /** Ratings at which neighbours and the genre and era profile weigh the same. */
  blendAt: 30,
  /** Added to a rating's residual, so a movie rated at the user's mean still pulls a little. */
  liftResidual: 0.5,
  /** Movies scanned down the popularity list for the profile, per genre the user likes. */
  profileDepth: 60,
  /** Era width in years: a movie this far from the user's mean year counts about half. */
  eraYears: 15,
  /** Exponent of the popularity factor on a neighbour score: held-out movies are mostly popular. */
  cfPopularity: 1,
  /** The most a user's liked movies whose neighbours are read, best liked first. */
  maxRated: 100,
};

export const REASONS = {
  similar: 'similar to movies you rated highly',
  popular: 'popular',
  popularIn: (genre: string) => `popular in ${genre}`,
  taste: (genre: string) => `popular in ${genre}, a genre you rate highly`,
};

/**
 * Suggestions for a user from their ratings, never a movie they rated. Neighbours of the movies
 * they rated (item-item CF), blended with a genre and era profile that counts most while they
 * have few ratings; popularity for a user with none. Cost O(n_u log n_u + min(n_u, maxRated)·K +
 * G·profileDepth), after
 * the first request on a model, which sorts its popular movies by genre once (O(movies)).
 */
export function recommend(
  model: Model,
  userRatings: readonly UserRating[],
  opts: RecommendOptions,
): Suggestion[] {
  const t = { ...TUNING, ...opts.tuning };
  const rated = new Map(userRatings.map((r) => [r.movie, r.score]));
  const wanted = (id: number) => !rated.has(id) && (!opts.genre || opts.movieInfo(id)?.genre === opts.genre);
  const out: Suggestion[] = [];
  if (rated.size > 0) {
    const mean = userMean(model, userRatings);
    const cf = neighbourScores(model, userRatings, mean, rated, t);
    const profile = profileScores(model, userRatings, mean, opts, t);
    const alpha = rated.size / (rated.size + t.blendAt);
    const cfMax = max(cf);
    const profileMax = max(profile);
    const blended = new Map<number, { score: number; reason: string }>();
    for (const [id, s] of cf) blended.set(id, { score: (alpha * s) / cfMax, reason: REASONS.similar });
    for (const [id, p] of profile) {
      const part = ((1 - alpha) * p.score) / profileMax;
      const seen = blended.get(id);
      if (!seen) blended.set(id, { score: part, reason: REASONS.taste(p.genre) });
      else {
        if (part > seen.score) seen.reason = REASONS.taste(p.genre);
        seen.score += part;
      }
    }
    const best = new TopK(opts.limit);
    for (const [id, s] of blended) if (wanted(id)) best.offer(id, s.score);
    for (const [movie, score] of best.sorted())
      out.push({ movie, score: round(score), reason: blended.get(movie)!.reason });
  }
  // Too few (or no ratings): the most popular of what is left.
  if (out.length < opts.limit) {
    const have = new Set(out.map((s) => s.movie));
    const top = model.popular[0]?.score || 1;
    const reason = opts.genre ? REASONS.popularIn(opts.genre) : REASONS.popular;
    for (const p of model.popular) {
      if (out.length >= opts.limit) break;
      if (wanted(p.id) && !have.has(p.id))
        out.push({ movie: p.id, score: round((0.01 * p.score) / top), reason });
    }
  }
  return out;
}

/** The movies most like this one, by their stored similarity. */
export function similar(model: Model, movieId: number, limit: number): { movie: number; score: number }[] {
  return model
    .neighbours(movieId)
    .slice(0, limit)
    .map((n) => ({ movie: n.id, score: round(n.sim) }));
}

/**
 * The score the user would give the movie: its baseline (the movie's Bayesian mean shifted by how
 * the user rates) corrected by how the user rated its neighbours against theirs. O(K).
 */
export function predict(model: Model, userRatings: readonly UserRating[], movieId: number): number {
  const rated = new Map(userRatings.map((r) => [r.movie, r.score]));
  const offset = userRatings.length ? userMean(model, userRatings) - meanBaseline(model, userRatings) : 0;
  let num = 0;
  let den = 0;
  for (const n of model.neighbours(movieId)) {
    const r = rated.get(n.id);
    if (r === undefined) continue;
    num += n.sim * (r - model.baseline(n.id) - offset);
    den += n.sim;
  }
  const guess = model.baseline(movieId) + offset + num / (den + 1);
  return Math.max(1, Math.min(5, guess));
}

function neighbourScores(
  model: Model,
  ratings: readonly UserRating[],
  mean: number,
  rated: Map<number, number>,
  t: Tuning,
) {
  const scores = new Map<number, number>();
  let liked = ratings
    .map((r) => ({ movie: r.movie, w: r.score - mean + t.liftResidual }))
    .filter((r) => r.w > 0);
  // A heavy rater's best-liked few say nearly all: their cost stays maxRated·K.
  if (liked.length > t.maxRated)
    liked = liked.sort((a, b) => b.w - a.w || a.movie - b.movie).slice(0, t.maxRated);
  for (const { movie, w } of liked) {
    for (const n of model.neighbours(movie))
      if (!rated.has(n.id)) scores.set(n.id, (scores.get(n.id) ?? 0) + n.sim * w);
  }
  const top = model.popular[0]?.score || 1;
  for (const [id, s] of scores) scores.set(id, s * ((model.stats(id)?.score ?? 0) / top) ** t.cfPopularity);
  return scores;
}

/** Popular movies weighted by the user's share of liking for their genre and closeness in era. */
function profileScores(
  model: Model,
  ratings: readonly UserRating[],
  mean: number,
  opts: RecommendOptions,
  t: Tuning,
) {
  const liking = new Map<string, number>();
  let total = 0;
  let yearSum = 0;
  for (const r of ratings) {
    const info = opts.movieInfo(r.movie);
    const w = r.score - mean + t.liftResidual;
    if (!info || w <= 0) continue;
    liking.set(info.genre, (liking.get(info.genre) ?? 0) + w);
    total += w;
    yearSum += w * info.year;
  }
  const scores = new Map<number, { score: number; genre: string }>();
  if (total === 0) return scores;
  const meanYear = yearSum / total;
  const top = model.popular[0]?.score || 1;
  const byGenre = popularByGenre(model, opts.movieInfo, t.profileDepth);
  for (const [genre, like] of liking) {
    for (const { p, year } of byGenre.get(genre) ?? []) {
      const era = Math.exp(-(((year - meanYear) / t.eraYears) ** 2) / 2);
      scores.set(p.id, { score: (p.score / top) * (like / total) * (0.5 + 0.5 * era), genre });
    }
  }
  return scores;
}

type GenreLists = Map<string, { p: Popularity; year: number }[]>;
const genreLists = new WeakMap<Model, { depth: number; lists: GenreLists }>();

/**
 * The most popular movies of each genre, made in one pass over the model's popularity on the
 * first request and kept as long as the model, so a request reads G short lists. A model is
 * replaced, not changed, when it is rebuilt, so the lists never go stale under it.
 */
function popularByGenre(model: Model, movieInfo: RecommendOptions['movieInfo'], depth: number): GenreLists {
  const cached = genreLists.get(model);
  if (cached && cached.depth === depth) return cached.lists;
  const lists: GenreLists = new Map();
  for (const p of model.popular) {
    const info = movieInfo(p.id);
    if (!info) continue;
    let list = lists.get(info.genre);
    if (!list) lists.set(info.genre, (list = []));
    if (list.length < depth) list.push({ p, year: info.year });
  }
  genreLists.set(model, { depth, lists });
  return lists;
}

function userMean(model: Model, ratings: readonly UserRating[]): number {
  const sum = ratings.reduce((s, r) => s + r.score, 0);
  return (sum + USER_PRIOR * model.globalMean) / (ratings.length + USER_PRIOR);
}

function meanBaseline(model: Model, ratings: readonly UserRating[]): number {
  const sum = ratings.reduce((s, r) => s + model.baseline(r.movie), 0);
  return (sum + USER_PRIOR * model.globalMean) / (ratings.length + USER_PRIOR);
}

function max(scores: Map<number, number | { score: number }>): number {
  let m = 0;
  for (const v of scores.values()) m = Math.max(m, typeof v === 'number' ? v : v.score);
  return m || 1;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
