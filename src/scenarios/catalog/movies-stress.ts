import { concatResults } from '../merge.js';
import type { LoadResult, OpenStage, RequestFactory } from '../model.js';
import type { IsGood } from '../load/http.js';
import type { Scenario, ScenarioContext, Size } from '../scenario.js';
import { inTurns } from '../in-turns.js';
import { ms, rates, stepUp, warmUp, yardstick, YARDSTICK_CLIENTS } from '../stepped.js';

/** Steps are fractions of the yardstick, so the same run means the same thing on any machine. */
const SIZES: Record<
  Size,
  {
    movies: number;
    users: number;
    ratingsPerUser: number;
    warmS: number;
    yardstickS: number;
    stepS: number;
    steps: number[];
    overload: number[];
  }
> = {
  full: {
    movies: 600,
    users: 400,
    ratingsPerUser: 25,
    warmS: 3,
    yardstickS: 10,
    stepS: 10,
    steps: [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
    overload: [1.5, 2.5],
  },
  smoke: {
    movies: 40,
    users: 30,
    ratingsPerUser: 8,
    warmS: 1,
    yardstickS: 2,
    stepS: 2,
    steps: [0.02, 0.05],
    overload: [],
  },
};
const P99_LIMIT_MS = 10;
/**
 * The steps that must hold use as many sockets as the yardstick, like for like. Left to open
 * sockets on demand, each step began with a burst of hundreds of connects (every send finding
 * none free while the first connected) that cost its first second a p99 near 100 ms. Overload
 * keeps the engine's 1,024, so the server, not the generator's pool, is what gets swamped.
 */
const HELD_CONNECTIONS = YARDSTICK_CLIENTS;
const BAD_LIMIT = 0.01;
const GENRES = ['action', 'comedy', 'romance', 'scifi', 'horror'];

const suggestionIsGood: IsGood = (status, body) => status === 200 && body.startsWith('[');

/**
 * A catalogue with tastes to learn, through the API: each user prefers one genre (5s there,
 * 1s and 2s elsewhere), so the model's neighbours are the genre's movies.
 */
async function loadCatalogue(ctx: ScenarioContext, size: (typeof SIZES)[Size]): Promise<number[]> {
  const must = async (method: string, path: string, body: unknown) => {
    const res = await ctx.http(method, path, body);
    if (res.status >= 300)
      throw new Error(`${method} ${path} answered ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: number };
  };
  const movies: { id: number; genre: string }[] = [];
  await inTurns(size.movies, 16, async (i) => {
    const genre = GENRES[i % GENRES.length]!;
    const movie = await must('POST', '/movie', {
      name: `Stress ${i}`,
      release_year: 1960 + (i % 60),
      genre,
    });
    movies.push({ id: movie.id, genre });
  });
  const users: number[] = [];
  await inTurns(size.users, 16, async (u) => {
    users.push((await must('POST', '/users', { name: `stress user ${u}` })).id);
  });
  const ratings: { user: number; movie: number; score: number }[] = [];
  users.forEach((user, u) => {
    const liked = GENRES[u % GENRES.length];
    for (let k = 0; k < size.ratingsPerUser; k++) {
      // A popularity long tail: low indexes are rated far more often.
      const m = movies[Math.floor((movies.length * ((k * 7919 + u * 104_729) % 1000) ** 2) / 1e6)]!;
      ratings.push({ user, movie: m.id, score: m.genre === liked ? 5 : 1 + ((u + k) % 2) });
    }
  });
  await inTurns(ratings.length, 16, async (k) => {
    const r = ratings[k]!;
    await must('PUT', `/users/${r.user}/ratings/${r.movie}`, { score: r.score });
  });
  return users;
}

/** Until the server serves a model build that learned from these ratings. */
async function waitForModel(ctx: ScenarioContext, user: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 60_000) {
    const res = await ctx.http('GET', `/users/${user}/recommendations`);
    // Before the first build there is nothing to suggest, not even the popular movies.
    if (res.status === 200 && Array.isArray(res.body) && res.body.length > 0) {
      return Date.now() - started;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('no model build was served within 60 s of the last rating');
}

/** Suggestions stepped past the breaking point, then back down, against GET /health. */
export const moviesStress: Scenario = {
  name: 'movies.stress',
  title: 'Movies: suggestions held under a stepped load, past the break, and back',
  description:
    `First a catalogue through the API (users who each prefer one genre) and the model built from it. Then the ` +
    `yardstick: ${YARDSTICK_CLIENTS} closed-loop clients on GET /health, the cost of one HTTP exchange on this server ` +
    'and machine. Then GET /users/{id}/recommendations for every user in turn at rising arrival rates (fractions ' +
    `of the yardstick); a step holds while p99 < ${P99_LIMIT_MS} ms and fewer than ${BAD_LIMIT * 100} % of answers ` +
    'are bad. Past the last step, overload steps above the yardstick, then one step at the highest rate held (the first step when none held): the server must ' +
    'still be alive and that step must hold again. The chart is latency over time for the whole run.',
  sixParts: {
    source: 'many users asking for suggestions, at rising rates',
    stimulus:
      'GET /users/{id}/recommendations, stepped arrival rate (open model), then overload, then the highest rate held',
    environment:
      'one server process on an embedded PostgreSQL on its own cores (one of two here), the generator on the other; the yardstick measured the same way',
    artifact:
      "movies suggestions path: the user's ratings (cached a second), the model in memory, the request log",
    response:
      'a list of suggestions for each request; beyond capacity, served at capacity or shed with 503, never a crash',
    responseMeasure: `held ≥ 0.6 × GET /health with p99 < ${P99_LIMIT_MS} ms; alive and holding again after overload`,
  },
  availabilityDefinition:
    'good = 200 with a JSON list of suggestions; any other status (a shed 503 included) and no answer within 10 s ' +
    'are bad. Latency counts from the intended send time.',
  seedFigure: 'about 6,000 req/s of a plain CRUD; died at 10,000 users/s; no suggestions built',
  serverEnv: { MOVIES_MODEL_REFRESH: '1s' },
  // A p99 of a few milliseconds is only the server's when the generator is not starved by it.
  separateCores: true,
  workload: (size) => ({
    model: 'open',
    // Every step, every overload step and the recovery step; their rates come from the yardstick.
    stages: Array.from({ length: SIZES[size].steps.length + SIZES[size].overload.length + 1 }, () => ({
      rate: 0,
      durationS: SIZES[size].stepS,
    })),
  }),
  headline: 'suggest_ratio',
  criteria: (size) => [
    ...(size === 'full'
      ? ['suggest_ratio >= 0.6', `suggest_p99_ms < ${P99_LIMIT_MS}`, 'recovered == 1']
      : // Smoke size runs inside a busy test run on shared cores: its rates say nothing.
        []),
    'alive_after == 1',
  ],
  async run(ctx) {
    const size = SIZES[ctx.size];
    const users = await loadCatalogue(ctx, size);
    const modelMs = await waitForModel(ctx, users[0]!);
    ctx.log(
      `catalogue: ${size.movies} movies, ${users.length} users, model served ${modelMs} ms after the last rating`,
    );
    const request: RequestFactory = ({ seq }) => ({
      method: 'GET',
      path: `/users/${users[seq % users.length]}/recommendations`,
    });

    await warmUp(ctx, size.warmS, [{ request: () => ({ method: 'GET', path: '/health' }) }]);
    const stick = await yardstick(ctx, size.yardstickS);
    ctx.log(
      `yardstick: GET /health ${stick.rps}/s, p99 ${ms(stick.result.latency.p99)} ms (c=${YARDSTICK_CLIENTS})`,
    );
    await warmUp(ctx, size.warmS, [{ request, isGood: suggestionIsGood }]);

    const held = await stepUp(
      ctx,
      {
        name: 'suggest',
        rates: rates(size.steps, stick.rps),
        durationS: size.stepS,
        p99LimitMs: P99_LIMIT_MS,
        badLimit: BAD_LIMIT,
        connections: HELD_CONNECTIONS,
      },
      request,
      suggestionIsGood,
    );
    const phases: LoadResult[] = [...held.phases];
    const stages: OpenStage[] = [...held.stages];
    const measures: Record<string, number> = {};
    for (const rate of rates(size.overload, stick.rps)) {
      const r = await ctx.load(
        {
          workload: { model: 'open', stages: [{ rate, durationS: size.stepS }] },
          request,
          isGood: suggestionIsGood,
        },
        `overload ${rate}/s`,
      );
      phases.push(r);
      stages.push({ rate, durationS: size.stepS });
      measures[`overload_${rate}_served_rps`] = Math.round(r.good / r.durationS);
      measures[`overload_${rate}_shed_503`] = r.byStatus['503'] ?? 0;
      measures[`overload_${rate}_p99_ms`] = ms(r.latency.p99);
    }
    // Recovery is judged at a rate the server held before the overload (the first step when none
    // held): holding it again is recovering; a rate that broke before would prove nothing.
    const low = held.held || rates(size.steps, stick.rps)[0]!;
    const recovery = await ctx.load(
      {
        workload: { model: 'open', stages: [{ rate: low, durationS: size.stepS }] },
        request,
        isGood: suggestionIsGood,
        connections: HELD_CONNECTIONS,
      },
      `recovery ${low}/s`,
    );
    phases.push(recovery);
    stages.push({ rate: low, durationS: size.stepS });
    const recovered =
      recovery.latency.p99 < P99_LIMIT_MS && recovery.good >= recovery.requests * (1 - BAD_LIMIT);
    const alive = (await ctx.http('GET', '/health').catch(() => ({ status: 0 }))).status === 200;

    const result = concatResults(phases);
    result.generator.saturated = held.held === 0 && held.stoppedBy === 'generator';
    const ratio = stick.rps ? Math.round((held.held / stick.rps) * 1000) / 1000 : 0;
    return {
      result,
      workload: { model: 'open', stages },
      measures: {
        yardstick_rps: stick.rps,
        yardstick_p99_ms: ms(stick.result.latency.p99),
        suggest_rps: held.held,
        suggest_served_rps: Math.round(held.best.good / held.best.durationS),
        suggest_ratio: ratio,
        suggest_p99_ms: ms(held.best.latency.p99),
        suggest_stopped_by: held.stoppedBy,
        model_served_ms: modelMs,
        recovery_rps: low,
        recovery_p99_ms: ms(recovery.latency.p99),
        recovered,
        alive_after: alive,
        ...held.measures,
        ...measures,
      },
    };
  },
};
