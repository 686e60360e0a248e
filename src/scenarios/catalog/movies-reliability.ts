import { concatResults } from '../merge.js';
import type { LoadResult, RequestSpec, Workload } from '../model.js';
import type { Scenario, Size } from '../scenario.js';
import {
  documentedPaths,
  isMovie,
  isSuggestionList,
  isUser,
  ms,
  parse,
  RECOMMENDATIONS,
  seedCatalogue,
  SIMILAR,
} from './movies-data.js';

const SIZES: Record<Size, { perEndpoint: number; movies: number; users: number; ratingsPerUser: number }> = {
  full: { perEndpoint: 20_000, movies: 300, users: 100, ratingsPerUser: 10 },
  smoke: { perEndpoint: 300, movies: 30, users: 10, ratingsPerUser: 3 },
};
/** The assignment's literal happy path, for one user alone. */
const P50_LIMIT_MS = 1;
const BOUND_S = 600;

interface Endpoint {
  key: string;
  label: string;
  request: (n: number) => RequestSpec;
  shaped: (value: unknown) => boolean;
}

const workload = (size: Size): Workload => ({
  model: 'closed',
  users: 1,
  durationS: BOUND_S,
  thinkMs: [0, 0],
  requestsPerUser: SIZES[size].perEndpoint,
});

export const moviesReliability: Scenario = {
  name: 'movies.reliability',
  title: 'Movies: one user, 20,000 requests per endpoint in sequence, no error, p50 under 1 ms',
  description:
    'One client on one connection sends 20,000 requests to each read endpoint in turn, each after the last was answered: ' +
    'GET /movie/{id}, GET /movie, GET /users/{id}, and the suggestion routes GET /users/{id}/recommendations and ' +
    'GET /movie/{id}/similar when the server documents them in /openapi.json. Every answer is judged by status and ' +
    'body shape; the p50 of each endpoint is the assignment\'s "happy path of 1 ms".',
  sixParts: {
    source: 'one user, sequential',
    stimulus: '20,000 requests per endpoint, one endpoint after the other',
    environment: 'one server process on an embedded PostgreSQL, no other load',
    artifact: 'movies read routes',
    response: 'answer every request correctly',
    responseMeasure: `0 errors; p50 < ${P50_LIMIT_MS} ms per endpoint`,
  },
  availabilityDefinition:
    'good = 200 with the body the contract names (a movie, a page of movies, a user, a list of {movie, score}); ' +
    'anything else, or no answer within 10 s, is an error.',
  seedFigure: '0 % errors in 20,000 requests per endpoint (the original, a CRUD only)',
  workload,
  headline: 'errors',
  criteria: (size) => [
    'errors == 0',
    'endpoints >= 3',
    // Smoke size runs inside a busy test run: its latency says nothing.
    ...(size === 'full' ? [`worst_p50_ms < ${P50_LIMIT_MS}`] : []),
  ],
  async run(ctx) {
    const size = SIZES[ctx.size];
    const { movies, users } = await seedCatalogue(ctx, size);
    const documented = await documentedPaths(ctx);
    const pick = (ids: number[], n: number) => ids[(n * 7919) % ids.length]!;
    const endpoints: Endpoint[] = [
      {
        key: 'movie',
        label: 'GET /movie/{id}',
        request: (n) => ({ method: 'GET', path: `/movie/${pick(movies, n)}` }),
        shaped: isMovie,
      },
      {
        key: 'movie_list',
        label: 'GET /movie',
        request: () => ({ method: 'GET', path: '/movie' }),
        shaped: (v) => Array.isArray(v) && v.length > 0 && v.every(isMovie),
      },
      {
        key: 'user',
        label: 'GET /users/{id}',
        request: (n) => ({ method: 'GET', path: `/users/${pick(users, n)}` }),
        shaped: isUser,
      },
    ];
    if (documented.has(RECOMMENDATIONS))
      endpoints.push({
        key: 'recommendations',
        label: `GET ${RECOMMENDATIONS}`,
        request: (n) => ({ method: 'GET', path: `/users/${pick(users, n)}/recommendations` }),
        shaped: isSuggestionList,
      });
    if (documented.has(SIMILAR))
      endpoints.push({
        key: 'similar',
        label: `GET ${SIMILAR}`,
        request: (n) => ({ method: 'GET', path: `/movie/${pick(movies, n)}/similar` }),
        shaped: isSuggestionList,
      });
    const missing = [RECOMMENDATIONS, SIMILAR].filter((p) => !documented.has(p));
    ctx.log(
      `endpoints: ${endpoints.map((e) => e.label).join(', ')}` +
        (missing.length ? `; not on this server (not in /openapi.json): ${missing.join(', ')}` : ''),
    );
    const phases: LoadResult[] = [];
    const measures: Record<string, number | string> = {};
    for (const e of endpoints) {
      const r = await ctx.load(
        {
          workload: workload(ctx.size),
          request: ({ seq }) => e.request(seq),
          isGood: (status, body) => status === 200 && e.shaped(parse(body)),
        },
        e.label,
      );
      phases.push(r);
      measures[`${e.key}_requests`] = r.requests;
      measures[`${e.key}_errors`] = r.requests - r.good;
      measures[`${e.key}_p50_ms`] = ms(r.latency.p50);
      measures[`${e.key}_p99_ms`] = ms(r.latency.p99);
    }
    const result = concatResults(phases);
    return {
      result,
      measures: {
        endpoints: endpoints.length,
        endpoints_included: endpoints.map((e) => e.label).join(', '),
        endpoints_absent: missing.join(', ') || 'none',
        errors: result.requests - result.good,
        worst_p50_ms: Math.max(...phases.map((r) => ms(r.latency.p50))),
        ...measures,
      },
    };
  },
};
