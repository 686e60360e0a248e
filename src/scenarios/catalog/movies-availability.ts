import type { RequestSpec, Workload } from '../model.js';
import type { Scenario, Size } from '../scenario.js';
import { isMovie, isShed, movieBody, ms, parse, seedCatalogue } from './movies-data.js';

/** The original's JMeter plan: 1,000 threads × 20 loops over create, list, get one, delete. */
const SIZES: Record<Size, { users: number; loops: number; boundS: number; seeded: number }> = {
  full: { users: 1_000, loops: 20, boundS: 600, seeded: 100 },
  smoke: { users: 20, loops: 3, boundS: 60, seeded: 20 },
};
const STEPS = 4;
/** A refusal slower than this is no shed: the server queued the request before refusing it. */
const QUICK_SHED_MS = 500;

const workload = (size: Size): Workload => ({
  model: 'closed',
  users: SIZES[size].users,
  durationS: SIZES[size].boundS,
  thinkMs: [0, 0],
  requestsPerUser: SIZES[size].loops * STEPS,
});

type Step = 'create' | 'list' | 'get' | 'delete';
const STEP_NAMES: Step[] = ['create', 'list', 'get', 'delete'];

interface Sent {
  user: number;
  step: Step;
  /** The movie this request names (get, delete). */
  id?: number;
  sentAt: number;
}

/**
 * Judges every answer of the JMeter loop by its status and body shape, and follows each user's
 * loop: the get and the delete name the movie that user's create made.
 */
class LoopLedger {
  readonly correct: Record<Step, number> = { create: 0, list: 0, get: 0, delete: 0 };
  wrong = 0;
  shed = 0;
  slowShed = 0;
  serverErrors = 0;
  /** Loops whose create was not answered with a movie: their get and delete read a seeded one. */
  loopsWithoutCreate = 0;
  firstWrong: string | undefined;
  private readonly sent = new WeakMap<RequestSpec, Sent>();
  private readonly created: (number | undefined)[];
  private readonly count: number[];

  constructor(
    users: number,
    private readonly seeded: number[],
    private readonly run: string,
  ) {
    this.created = new Array<number | undefined>(users);
    this.count = new Array<number>(users).fill(0);
  }

  readonly request = ({ user }: { user?: number }): RequestSpec => {
    const u = user ?? 0;
    const n = this.count[u]!++;
    const step = STEP_NAMES[n % STEPS]!;
    const own = this.created[u];
    const fallback = this.seeded[(u + n) % this.seeded.length]!;
    let spec: RequestSpec;
    let id: number | undefined;
    if (step === 'create') {
      this.created[u] = undefined;
      spec = { method: 'POST', path: '/movie', body: movieBody(`JMeter ${this.run} ${u}-${n}`, n) };
    } else if (step === 'list') {
      spec = { method: 'GET', path: '/movie' };
    } else {
      if (step === 'get' && own === undefined) this.loopsWithoutCreate++;
      id = own ?? fallback;
      // Without a movie of its own the loop must not delete someone else's: it reads instead.
      const method = step === 'delete' && own !== undefined ? 'DELETE' : 'GET';
      spec = { method, path: `/movie/${id}` };
    }
    this.sent.set(spec, { user: u, step, id, sentAt: performance.now() });
    return spec;
  };

  readonly isGood = (
    status: number,
    body: string,
    request: RequestSpec,
    headers: Record<string, string | string[] | undefined>,
  ): boolean => {
    const sent = this.sent.get(request)!;
    if (status >= 500) {
      if (isShed(status, headers) && performance.now() - sent.sentAt < QUICK_SHED_MS) this.shed++;
      else if (isShed(status, headers)) this.slowShed++;
      else this.serverErrors++;
      return false;
    }
    const value = parse(body);
    let ok: boolean;
    switch (sent.step) {
      case 'create':
        ok = status === 201 && isMovie(value);
        if (ok) this.created[sent.user] = (value as { id: number }).id;
        break;
      case 'list':
        ok = status === 200 && Array.isArray(value) && value.length > 0 && value.every(isMovie);
        break;
      default:
        ok = status === 200 && isMovie(value) && value.id === sent.id;
    }
    if (ok) this.correct[sent.step]++;
    else {
      this.wrong++;
      this.firstWrong ??= `${request.method} ${request.path} → ${status} ${body.slice(0, 200)}`;
    }
    return ok;
  };
}

export const moviesAvailability: Scenario = {
  name: 'movies.availability',
  title: "Movies: the original's JMeter plan, every request within capacity answered correctly",
  description:
    'The original team ran JMeter with 1,000 threads × 20 loops over create a movie, list movies, get one and delete it ' +
    '(80,000 requests) and reported 93.75 % availability (12.9 % errors on reads). Here the same plan: 1,000 closed-loop ' +
    'virtual users with no think time, each looping 20 times over POST /movie, GET /movie, GET /movie/{the id it just made} ' +
    'and DELETE /movie/{that id}; every answer is judged by its status and body shape.',
  sixParts: {
    source: '1,000 concurrent clients, no think time (JMeter thread group)',
    stimulus: 'POST /movie, GET /movie, GET /movie/{id}, DELETE /movie/{id}, 20 loops each',
    environment: 'one server process on an embedded PostgreSQL, generator on the same 2 cores',
    artifact: 'movies catalogue routes, the platform HTTP stack and its load shedding',
    response:
      'answer each request correctly, or refuse what is beyond capacity with a quick 503 + Retry-After',
    responseMeasure:
      '0 wrong answers, 0 5xx other than quick sheds, 0 unanswered; the share answered correctly stated',
  },
  availabilityDefinition:
    'availability = requests answered correctly / requests sent. Correct: create 201 with a movie; list 200 with a ' +
    'non-empty array of movies; get 200 with the movie of the id asked; delete 200 with that movie. A 503 problem+json ' +
    `with Retry-After within ${QUICK_SHED_MS} ms is a shed (counted apart: a correct refusal beyond capacity, not service); ` +
    'anything else (a wrong status or body, another 5xx, a slow 503, no answer within 10 s) is wrong. The original ' +
    'counted JMeter assertions the same way and reported 93.75 %.',
  expectedRefusals: [503],
  seedFigure: '93.75 % (12.9 % errors on reads)',
  workload,
  headline: 'correct_share',
  criteria: () => [
    'wrong == 0',
    'server_errors == 0',
    'slow_sheds == 0',
    'no_answer == 0',
    'alive_after == 1',
  ],
  async run(ctx) {
    const size = SIZES[ctx.size];
    const { movies } = await seedCatalogue(ctx, { movies: size.seeded, users: 0, ratingsPerUser: 0 });
    const ledger = new LoopLedger(size.users, movies, Date.now().toString(36));
    const result = await ctx.load(
      { workload: workload(ctx.size), request: ledger.request, isGood: ledger.isGood },
      'JMeter plan',
    );
    const alive = (await ctx.http('GET', '/health').catch(() => ({ status: 0 }))).status === 200;
    const noAnswer = result.byStatus['0'] ?? 0;
    const share = (n: number) => (result.requests ? Math.round((n / result.requests) * 1e6) / 1e6 : 0);
    if (ledger.firstWrong) ctx.log(`first wrong answer: ${ledger.firstWrong}`);
    ctx.log(
      `answered correctly ${result.good} of ${result.requests} (${(share(result.good) * 100).toFixed(4)} %; ` +
        `the original: 93.75 %), shed ${ledger.shed}, wrong ${ledger.wrong}`,
    );
    return {
      result,
      measures: {
        requests_planned: size.users * size.loops * STEPS,
        requests_sent: result.requests,
        correct: result.good,
        correct_share: share(result.good),
        correct_share_within_capacity: share(result.good) && result.good / (result.requests - ledger.shed),
        shed_503: ledger.shed,
        shed_share: share(ledger.shed),
        wrong: ledger.wrong,
        server_errors: ledger.serverErrors,
        slow_sheds: ledger.slowShed,
        no_answer: noAnswer,
        loops_without_create: ledger.loopsWithoutCreate,
        correct_creates: ledger.correct.create,
        correct_lists: ledger.correct.list,
        correct_gets: ledger.correct.get,
        correct_deletes: ledger.correct.delete,
        original_share: 0.9375,
        p99_ms: ms(result.latency.p99),
        alive_after: alive,
      },
    };
  },
};
