import type { Genre } from '../genres.js';
import { buildModel, modelFromRows, serialize, type RatingInput } from './model.js';
import { recommend, similar, type Suggestion } from './recommend.js';
import type { StoredModel } from './store.js';

/** A movie without a release year sits mid-catalogue for the era profile rather than nowhere. */
const UNKNOWN_YEAR = 2000;

export interface ServedModel {
  recommend(
    ratings: readonly { movie: number; score: number }[],
    opts: { limit: number; genre?: Genre },
  ): Suggestion[];
  similar(movie: number, limit: number): { movie: number; score: number }[];
}

type MovieInfo = (id: number) => { genre: string; release_year: number | null } | undefined;

/** What a build stores: the model of these movies and ratings, as rows. */
export function buildRows(
  movies: readonly { id: number; genre: string; year: number | null }[],
  ratings: Iterable<RatingInput>,
): StoredModel {
  const meta = movies.map((m) => ({ id: m.id, genre: m.genre, year: m.year ?? UNKNOWN_YEAR }));
  return serialize(buildModel(meta, ratings));
}

/** The stored build, ready to answer requests against the catalogue `info` reads. */
export function serveModel(stored: StoredModel, info: MovieInfo): ServedModel {
  const model = modelFromRows(stored);
  const movieInfo = (id: number) => {
    const movie = info(id);
    return movie && { genre: movie.genre, year: movie.release_year ?? UNKNOWN_YEAR };
  };
  return {
    recommend: (ratings, opts) => recommend(model, ratings, { ...opts, movieInfo }),
    similar: (movie, limit) => similar(model, movie, limit),
  };
}
