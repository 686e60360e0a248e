import { generateCatalogue, type CatalogueOptions } from './generator.js';
import { buildModel, type Model, type ModelOptions } from './model.js';
import { mulberry32, subSeed } from './random.js';
import { predict, recommend, type Tuning, type UserRating } from './recommend.js';

/** The data `crucible eval movies` generates unless told otherwise: about 12 s on 2 cores. */
export const EVAL_DEFAULTS: CatalogueOptions = { movies: 6000, users: 10_000, ratings: 800_000, seed: 42 };
/** Share of each user's ratings held out, and the fewest ratings a user needs to be tested. */
export const HOLD_OUT = 0.2;
export const MIN_RATINGS = 5;
export const AT = 10;
/** A held-out rating at least this high is a movie the user would have wanted suggested. */
export const RELEVANT = 4;

export interface EvalRow {
  name: 'ours' | 'popularity' | 'global mean' | 'neighbours only' | 'profile only';
  precision: number;
  recall: number;
  ndcg: number;
  rmse: number;
}
export interface EvalResult {
  data: {
    movies: number;
    users: number;
    ratings: number;
    seed: number;
    train: number;
    test: number;
    testUsers: number;
  };
  rows: EvalRow[];
  seconds: { generate: number; build: number; evaluate: number; total: number };
  /** Mean time of one `recommend` call (top 10) of ours, in milliseconds. */
  recommendMs: number;
}

interface Ranker {
  name: EvalRow['name'];
  top(train: readonly UserRating[]): number[];
  /** Milliseconds spent in `top`, and calls. */
  spent?: { ms: number; calls: number };
  predict(train: readonly UserRating[], movie: number): number;
}

/**
 * Generates the catalogue, holds out a fixed share of each user's ratings (chosen by a PRNG of
 * its own per user, so the split is the same every run), builds the model on the rest and scores
 * the top 10 of each ranker against what was held out.
 */
export interface EvalOptions {
  model?: ModelOptions;
  /** Also score each half of ours alone: item-item neighbours only, genre and era profile only. */
  variants?: boolean;
}

export function evaluate(data: CatalogueOptions = EVAL_DEFAULTS, opts: EvalOptions = {}): EvalResult {
  const t0 = performance.now();
  const cat = generateCatalogue(data);
  const movies = [...cat.movieRows()].map((m) => ({ id: m.id, genre: m.genre, year: m.release_year }));
  const train: UserRating[][] = [];
  const test: UserRating[][] = [];
  let trainCount = 0;
  let testCount = 0;
  let current = 0;
  let ofUser: UserRating[] = [];
  const split = () => {
    if (!ofUser.length) return;
    const r = mulberry32(subSeed(data.seed, current, 9));
    const held = ofUser.length >= MIN_RATINGS ? Math.max(1, Math.round(HOLD_OUT * ofUser.length)) : 0;
    // A partial Fisher–Yates shuffle: the last `held` are a uniform sample.
    for (let k = ofUser.length - 1; k >= ofUser.length - held; k--) {
      const j = r.int(k + 1);
      [ofUser[k], ofUser[j]] = [ofUser[j]!, ofUser[k]!];
    }
    train[current] = ofUser.slice(0, ofUser.length - held);
    test[current] = ofUser.slice(ofUser.length - held);
    trainCount += ofUser.length - held;
    testCount += held;
  };
  for (const r of cat.ratingRows()) {
    if (r.user !== current) {
      split();
      current = r.user;
      ofUser = [];
    }
    ofUser.push({ movie: r.movie, score: r.score });
  }
  split();
  const t1 = performance.now();

  function* trainRows() {
    for (let u = 1; u < train.length; u++)
      for (const r of train[u] ?? []) yield { user: u, movie: r.movie, score: r.score };
  }
  const built = buildModel(movies, trainRows(), opts.model);
  const t2 = performance.now();

  const all = rankers(built, cat.movieInfo, movies.length);
  if (opts.variants) {
    const alone = (name: EvalRow['name'], tuning: Partial<Tuning>): Ranker => ({
      name,
      top: (train) =>
        recommend(built, train, { limit: AT, movieInfo: cat.movieInfo, tuning }).map((s) => s.movie),
      predict: (train, movie) => predict(built, train, movie),
    });
    all.push(alone('neighbours only', { blendAt: 0 }), alone('profile only', { blendAt: Infinity }));
  }
  const rows = all.map((ranker) => score(ranker, train, test));
  const spent = all[0]!.spent!;
  const t3 = performance.now();
  const s = (ms: number) => Math.round(ms) / 1000;
  return {
    data: {
      ...data,
      ratings: cat.counts.ratings,
      train: trainCount,
      test: testCount,
      testUsers: test.filter((t) => t?.length).length,
    },
    rows,
    seconds: { generate: s(t1 - t0), build: s(t2 - t1), evaluate: s(t3 - t2), total: s(t3 - t0) },
    recommendMs: Math.round((1000 * spent.ms) / Math.max(1, spent.calls)) / 1000,
  };
}

function rankers(
  model: Model,
  movieInfo: Parameters<typeof recommend>[2]['movieInfo'],
  movies: number,
): Ranker[] {
  const spent = { ms: 0, calls: 0 };
  return [
    {
      name: 'ours',
      spent,
      top(train) {
        const started = performance.now();
        const top = recommend(model, train, { limit: AT, movieInfo }).map((s) => s.movie);
        spent.ms += performance.now() - started;
        spent.calls++;
        return top;
      },
      predict: (train, movie) => predict(model, train, movie),
    },
    {
      name: 'popularity',
      top(train) {
        const rated = new Set(train.map((r) => r.movie));
        const out: number[] = [];
        for (const p of model.popular) if (out.length < AT && !rated.has(p.id)) out.push(p.id);
        return out;
      },
      predict: (_, movie) => model.baseline(movie),
    },
    {
      // Every movie gets the same score, so its top 10 is any 10: the unrated ones first by id.
      name: 'global mean',
      top(train) {
        const rated = new Set(train.map((r) => r.movie));
        const out: number[] = [];
        for (let id = 1; out.length < AT && id <= movies; id++) if (!rated.has(id)) out.push(id);
        return out;
      },
      predict: () => model.globalMean,
    },
  ];
}

function score(ranker: Ranker, train: UserRating[][], test: UserRating[][]): EvalRow {
  let precision = 0;
  let recall = 0;
  let ndcg = 0;
  let users = 0;
  let sq = 0;
  let n = 0;
  const discount = Array.from({ length: AT }, (_, k) => 1 / Math.log2(k + 2));
  for (let u = 1; u < test.length; u++) {
    const held = test[u];
    if (!held?.length) continue;
    const mine = train[u]!;
    for (const r of held) {
      sq += (ranker.predict(mine, r.movie) - r.score) ** 2;
      n++;
    }
    const relevant = new Set(held.filter((r) => r.score >= RELEVANT).map((r) => r.movie));
    if (relevant.size === 0) continue;
    const top = ranker.top(mine);
    let hits = 0;
    let dcg = 0;
    top.forEach((id, k) => {
      if (relevant.has(id)) {
        hits++;
        dcg += discount[k]!;
      }
    });
    let ideal = 0;
    for (let k = 0; k < Math.min(AT, relevant.size); k++) ideal += discount[k]!;
    precision += hits / AT;
    recall += hits / relevant.size;
    ndcg += dcg / ideal;
    users++;
  }
  const avg = (x: number) => (users ? x / users : 0);
  return {
    name: ranker.name,
    precision: avg(precision),
    recall: avg(recall),
    ndcg: avg(ndcg),
    rmse: n ? Math.sqrt(sq / n) : 0,
  };
}
