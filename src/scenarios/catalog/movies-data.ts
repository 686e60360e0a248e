import type { Answer } from '../scenario.js';

/** What the movies scenarios need of their context: one unmeasured request at a time. */
export interface Api {
  http(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
  log(line: string): void;
}

export const GENRES = ['action', 'comedy', 'romance', 'scifi', 'horror'] as const;

export interface MovieShape {
  id: number;
  name: string;
  release_year: number | null;
  description: string | null;
  genre: string;
}

export const movieBody = (name: string, i: number) => ({
  name,
  release_year: 1950 + (i % 75),
  description: `Made by a scenario (${i})`,
  genre: GENRES[i % GENRES.length]!,
});

/** The movie shape of the contract: the fields and their types, nothing checked by value. */
export function isMovie(value: unknown): value is MovieShape {
  const m = value as Partial<MovieShape> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    Number.isInteger(m.id) &&
    typeof m.name === 'string' &&
    (m.release_year === null || Number.isInteger(m.release_year)) &&
    (m.description === null || typeof m.description === 'string') &&
    typeof m.genre === 'string'
  );
}

export function isUser(value: unknown): value is { id: number; name: string } {
  const u = value as { id?: unknown; name?: unknown } | null;
  return typeof u === 'object' && u !== null && Number.isInteger(u.id) && typeof u.name === 'string';
}

/** Parses a body the load engine read as text; undefined when it is not JSON. */
export function parse(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** Runs `count` creations with `parallel` at a time; each must answer 201 with an id. */
async function createMany(
  api: Api,
  count: number,
  make: (i: number) => { path: string; body: unknown },
  parallel = 16,
): Promise<number[]> {
  const ids: number[] = new Array<number>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const { path, body } = make(i);
      const res = await api.http('POST', path, body);
      const id = (res.body as { id?: unknown } | undefined)?.id;
      if (res.status !== 201 || typeof id !== 'number')
        throw new Error(`POST ${path} answered ${res.status} ${JSON.stringify(res.body)}`);
      ids[i] = id;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return ids;
}

export interface Catalogue {
  movies: number[];
  users: number[];
  ratings: number;
}

/**
 * A catalogue made through the API, so it works against any running server: movies, users,
 * and `ratingsPerUser` ratings each, over a popular head of the movies (a long tail, roughly).
 */
export async function seedCatalogue(
  api: Api,
  opts: { movies: number; users: number; ratingsPerUser: number },
): Promise<Catalogue> {
  const run = Date.now().toString(36);
  api.log(`seeding ${opts.movies} movies, ${opts.users} users, ${opts.ratingsPerUser} ratings each (HTTP)`);
  const movies = await createMany(api, opts.movies, (i) => ({
    path: '/movie',
    body: movieBody(`Scenario ${run} ${i}`, i),
  }));
  const users = await createMany(api, opts.users, (i) => ({
    path: '/users',
    body: { name: `viewer ${run} ${i}` },
  }));
  let ratings = 0;
  let next = 0;
  const total = users.length * opts.ratingsPerUser;
  const worker = async () => {
    while (next < total) {
      const k = next++;
      const user = users[Math.floor(k / opts.ratingsPerUser)]!;
      // Squaring a uniform draw favours the first movies: a few are rated by many.
      const r = ((k * 2654435761) % 1000) / 1000;
      const movie = movies[Math.floor(r * r * movies.length)]!;
      const res = await api.http('PUT', `/users/${user}/ratings/${movie}`, { score: 1 + (k % 5) });
      if (res.status !== 200) throw new Error(`rating answered ${res.status} ${JSON.stringify(res.body)}`);
      ratings++;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return { movies, users, ratings };
}

/** The suggestion routes, which land after the CRUD: present only when the server documents them. */
export const RECOMMENDATIONS = '/users/{id}/recommendations';
export const SIMILAR = '/movie/{id}/similar';

export async function documentedPaths(api: Api): Promise<Set<string>> {
  const res = await api.http('GET', '/openapi.json');
  const paths = (res.body as { paths?: Record<string, unknown> } | undefined)?.paths;
  if (res.status !== 200 || !paths) throw new Error(`GET /openapi.json answered ${res.status}`);
  return new Set(Object.keys(paths));
}

export const isSuggestionList = (value: unknown): boolean =>
  Array.isArray(value) &&
  value.every(
    (s) =>
      typeof s === 'object' &&
      s !== null &&
      isMovie((s as { movie?: unknown }).movie) &&
      typeof (s as { score?: unknown }).score === 'number',
  );

/** A 503 as the platform sheds it: problem+json with Retry-After. */
export const isShed = (status: number, headers: Record<string, string | string[] | undefined>) =>
  status === 503 &&
  headers['retry-after'] !== undefined &&
  String(headers['content-type'] ?? '').includes('application/problem+json');

export const ms = (x: number) => Math.round(x * 100) / 100;
export const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
