import { startInstances, type Instances } from '../instances.js';
import type { RequestSpec, Workload } from '../model.js';
import type { Scenario, ScenarioContext, Size } from '../scenario.js';
import { isMovie, isShed, isUser, ms, parse, seedCatalogue, sleep } from './movies-data.js';

const SIZES: Record<
  Size,
  {
    rate: number;
    maxS: number;
    beforeS: number;
    outageS: number;
    afterS: number;
    movies: number;
    users: number;
  }
> = {
  full: { rate: 500, maxS: 60, beforeS: 5, outageS: 5, afterS: 5, movies: 300, users: 100 },
  smoke: { rate: 100, maxS: 30, beforeS: 1.5, outageS: 2, afterS: 1, movies: 30, users: 10 },
};
/** A write refused during the outage must be refused this fast: the client is told at once. */
const FAST_REFUSAL_MS = 1_000;
const WRITE_EVERY_MS = 100;
/** How long after the restart both reads and writes may take to come back before the run gives up. */
const RECOVERY_LIMIT_MS = 20_000;

type Kind = 'fresh' | 'stale' | 'refused' | 'wrong';

interface Clock {
  /** performance.now() of the events, undefined until they happen. */
  stopped?: number;
  /** When the stop had finished: PostgreSQL serves what it can while it shuts down. */
  down?: number;
  /** When the start was asked for: PostgreSQL may take writes before its start has returned. */
  starting?: number;
  restarted?: number;
  firstFreshRead?: number;
  firstWrite?: number;
}

/** Reads of what was read before the outage: each answered fresh or stale, never wrong. */
class ReadLedger {
  readonly counts: Record<Kind, number> = { fresh: 0, stale: 0, refused: 0, wrong: 0 };
  staleOutsideOutage = 0;
  firstWrong: string | undefined;
  constructor(private readonly clock: Clock) {}

  readonly isGood = (
    status: number,
    body: string,
    request: RequestSpec,
    headers: Record<string, string | string[] | undefined>,
  ): boolean => {
    const now = performance.now();
    const value = parse(body);
    const shaped = request.path.startsWith('/users/')
      ? isUser(value)
      : request.path.startsWith('/movie/')
        ? isMovie(value)
        : Array.isArray(value) && value.length > 0 && value.every(isMovie);
    let kind: Kind;
    if (status === 200 && shaped) kind = headers['x-data-stale'] === 'true' ? 'stale' : 'fresh';
    else if (isShed(status, headers)) kind = 'refused';
    else kind = 'wrong';
    this.counts[kind]++;
    if (kind === 'wrong') this.firstWrong ??= `${request.path} → ${status} ${body.slice(0, 200)}`;
    if (kind === 'stale' && this.clock.stopped === undefined) this.staleOutsideOutage++;
    if (kind === 'fresh' && this.clock.restarted !== undefined && this.clock.firstFreshRead === undefined)
      this.clock.firstFreshRead = now;
    return kind === 'fresh' || kind === 'stale';
  };
}

interface Writes {
  during: number;
  duringFast503: number;
  duringOther: string[];
  duringSlowestMs: number;
  before: number;
  beforeFailed: number;
}

/** One write every WRITE_EVERY_MS until `done`: what it is answered before, during and after the outage. */
async function writeProbe(ctx: ScenarioContext, clock: Clock, done: () => boolean): Promise<Writes> {
  const w: Writes = {
    during: 0,
    duringFast503: 0,
    duringOther: [],
    duringSlowestMs: 0,
    before: 0,
    beforeFailed: 0,
  };
  let n = 0;
  while (!done()) {
    const sent = performance.now();
    const res = await ctx
      .http('POST', '/users', { name: `partition writer ${n++}` })
      .catch(() => ({ status: 0, body: undefined, headers: {} }));
    const took = performance.now() - sent;
    const sentDuringOutage = clock.down !== undefined && clock.down <= sent && clock.starting === undefined;
    if (clock.stopped === undefined) {
      w.before++;
      if (res.status !== 201) w.beforeFailed++;
    } else if (sentDuringOutage) {
      w.during++;
      w.duringSlowestMs = Math.max(w.duringSlowestMs, took);
      if (isShed(res.status, res.headers) && took < FAST_REFUSAL_MS) w.duringFast503++;
      else if (w.duringOther.length < 5) w.duringOther.push(`${res.status} in ${Math.round(took)} ms`);
    } else if (clock.restarted === undefined) {
      // Sent while the database was shutting down or starting: either answer is right, neither is judged.
    } else if (res.status === 201 && clock.firstWrite === undefined) {
      clock.firstWrite = performance.now();
    }
    await sleep(WRITE_EVERY_MS);
  }
  return w;
}

const workload = (size: Size): Workload => ({
  model: 'open',
  stages: [{ rate: SIZES[size].rate, durationS: SIZES[size].maxS }],
});

/** One server on a database of its own, which the scenario stops and starts under it. */
function partitionScenario(): Scenario {
  let instances: Instances | undefined;
  return {
    name: 'movies.partition',
    title: 'Movies: PostgreSQL stopped under a read load, reads answer stale, writes 503, both recover',
    description:
      'One server on its own `crucible db`. A steady open-model read load (GET /movie/{id}, GET /movie, GET /users/{id}, ' +
      'all read once before) runs while the harness stops PostgreSQL for a few seconds and starts it again; a writer ' +
      'POSTs a user every 100 ms. Movies chose AP: reads must keep answering (from memory, marked X-Data-Stale), ' +
      'writes must be refused at once with 503 + Retry-After, and both must come back by themselves after the restart.',
    sixParts: {
      source: 'the database host (stopped) under steady readers and a writer',
      stimulus:
        'PostgreSQL stopped (SIGTERM) for a few seconds during the read load, then started on the same port',
      environment: 'one `crucible serve` on a separate `crucible db`, generator on the same cores',
      artifact: 'movies read routes (LastGood), write routes, the database pool',
      response:
        'reads answered from memory marked stale; writes refused with 503 + Retry-After; recovery unattended',
      responseMeasure:
        '0 read errors, stale reads > 0, every write during the outage a 503 within 1 s, fresh reads and writes back after the restart',
    },
    availabilityDefinition:
      'good = a read answered 200 with the right body shape, fresh or marked `X-Data-Stale: true`. A 503 to a read, ' +
      'any other answer and no answer within 10 s are bad. Writes are probed apart (measures `writes_*`).',
    seedFigure: 'the original chose AP on paper and did not test it',
    startTarget: async () => (instances = await startInstances({ count: 1 })),
    workload,
    headline: 'read_errors',
    criteria: () => [
      'read_errors == 0',
      'stale_reads > 0',
      'stale_before_outage == 0',
      'writes_during_outage > 0',
      'writes_during_outage_not_fast_503 == 0',
      'writes_before_failed == 0',
      'recovered == 1',
      'alive_after == 1',
    ],
    async run(ctx) {
      if (!instances || instances.url !== ctx.target.url)
        throw new Error('movies.partition stops the database itself: run it without --target');
      const size = SIZES[ctx.size];
      const { movies, users } = await seedCatalogue(ctx, {
        movies: size.movies,
        users: size.users,
        ratingsPerUser: 0,
      });
      const reads: RequestSpec[] = [
        ...movies.map((id) => ({ method: 'GET' as const, path: `/movie/${id}` })),
        ...users.map((id) => ({ method: 'GET' as const, path: `/users/${id}` })),
        // Pages inside the catalogue this run made (a fresh database: its movies come first).
        ...[0, 10, 20].map((offset) => ({
          method: 'GET' as const,
          path: `/movie?offset=${offset}&limit=10`,
        })),
      ];
      // Every read once: an instance answers from memory only what it read before.
      for (const spec of reads) {
        const res = await ctx.http(spec.method, spec.path);
        if (res.status !== 200) throw new Error(`warm read ${spec.path} answered ${res.status}`);
      }
      const clock: Clock = {};
      const ledger = new ReadLedger(clock);
      const stop = new AbortController();
      const loadStart = performance.now();
      const loading = ctx.load(
        {
          workload: workload(ctx.size),
          request: ({ seq }) => reads[(seq * 7919) % reads.length]!,
          isGood: ledger.isGood,
          signal: stop.signal,
        },
        'reads',
      );
      let writing = true;
      const writes = writeProbe(ctx, clock, () => !writing);
      let restartMs = 0;
      try {
        await sleep(size.beforeS * 1000);
        clock.stopped = performance.now();
        await instances.database.stop();
        clock.down = performance.now();
        const stoppedIn = performance.now() - clock.stopped;
        ctx.log(`PostgreSQL stopped (${Math.round(stoppedIn)} ms)`);
        await sleep(size.outageS * 1000);
        clock.starting = performance.now();
        await instances.database.start();
        clock.restarted = performance.now();
        restartMs = clock.restarted - clock.starting;
        ctx.log(`PostgreSQL started again (${Math.round(restartMs)} ms)`);
        const deadline = clock.restarted + RECOVERY_LIMIT_MS;
        while (
          (clock.firstFreshRead === undefined || clock.firstWrite === undefined) &&
          performance.now() < deadline
        )
          await sleep(20);
        await sleep(size.afterS * 1000);
      } finally {
        writing = false;
        stop.abort();
      }
      const result = await loading;
      const w = await writes;
      const alive = (await ctx.http('GET', '/health').catch(() => ({ status: 0 }))).status === 200;
      const since = (t: number | undefined) =>
        t === undefined || !clock.restarted ? -1 : ms(t - clock.restarted);
      const recovered = clock.firstFreshRead !== undefined && clock.firstWrite !== undefined;
      if (ledger.firstWrong) ctx.log(`first wrong read: ${ledger.firstWrong}`);
      if (!alive)
        ctx.log(`the server no longer answers; its last output:\n${ctx.target.output().slice(-3000)}`);
      ctx.log(
        `reads: ${ledger.counts.fresh} fresh, ${ledger.counts.stale} stale, ${ledger.counts.refused} refused, ` +
          `${ledger.counts.wrong} wrong; writes during the outage: ${w.during} (${w.duringFast503} fast 503s); ` +
          `after the restart: first fresh read ${since(clock.firstFreshRead)} ms, first write ${since(clock.firstWrite)} ms`,
      );
      return {
        result,
        workload: {
          model: 'open',
          stages: [{ rate: size.rate, durationS: Math.round(performance.now() - loadStart) / 1000 }],
        },
        measures: {
          read_rate: size.rate,
          outage_s: size.outageS,
          outage_starts_at_s: size.beforeS,
          fresh_reads: ledger.counts.fresh,
          stale_reads: ledger.counts.stale,
          stale_before_outage: ledger.staleOutsideOutage,
          reads_refused_503: ledger.counts.refused,
          read_errors: result.requests - result.good,
          writes_before: w.before,
          writes_before_failed: w.beforeFailed,
          writes_during_outage: w.during,
          writes_during_outage_fast_503: w.duringFast503,
          writes_during_outage_not_fast_503: w.during - w.duringFast503,
          writes_during_outage_slowest_ms: ms(w.duringSlowestMs),
          ...(w.duringOther.length ? { writes_during_outage_other: w.duringOther.join(', ') } : {}),
          database_restart_ms: ms(restartMs),
          first_fresh_read_after_restart_ms: since(clock.firstFreshRead),
          first_write_after_restart_ms: since(clock.firstWrite),
          recovered,
          alive_after: alive,
        },
      };
    },
  };
}

export const moviesPartition = partitionScenario();
