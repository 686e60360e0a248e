import { concatResults } from '../merge.js';
import type { LoadResult } from '../model.js';
import type { Scenario, ScenarioContext, Size } from '../scenario.js';
import { ms, rates, stepUp, warmUp, yardstick, YARDSTICK_CLIENTS } from '../stepped.js';
import {
  appHeaders,
  DeliveryLedger,
  pollRequests,
  postRequests,
  postState,
  processedIsGood,
  sharedToken,
} from './criticality-data.js';

/** Steps are fractions of the yardstick, so the same run means the same thing on any machine. */
const SIZES: Record<
  Size,
  { warmS: number; yardstickS: number; stepS: number; consumers: number; get: number[]; post: number[] }
> = {
  full: {
    warmS: 3,
    yardstickS: 10,
    stepS: 10,
    consumers: 200,
    get: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
    post: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8],
  },
  smoke: { warmS: 1, yardstickS: 2, stepS: 2, consumers: 20, get: [0.02, 0.05], post: [0.01, 0.02] },
};
const GET_P99_LIMIT_MS = 20;
/**
 * The goal names no latency for POST. Beyond its capacity an open model's backlog makes p99 grow
 * without bound, so any limit well above the service time finds the break; this one is also what
 * a producer can wait without noticing.
 */
const POST_P99_LIMIT_MS = 100;
const BAD_LIMIT = 0.01;
/** While consumers poll, a producer posts this often: some polls deliver, most answer {}. */
const PRODUCER_EVERY_MS = 1_000;
const PRODUCERS = 8;

const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

/** Runs `work` while a producer posts a state every PRODUCER_EVERY_MS. */
async function withProducer<T>(
  ctx: ScenarioContext,
  headers: Record<string, string>,
  work: () => Promise<T>,
): Promise<{ value: T; posted: number }> {
  let running = true;
  let posted = 0;
  const producer = (async () => {
    while (running) {
      await postState(ctx, headers, posted++);
      await sleep(PRODUCER_EVERY_MS);
    }
  })();
  try {
    return { value: await work(), posted };
  } finally {
    running = false;
    await producer;
  }
}

/** Polls and posts stepped to the breaking point, each against the same server's GET /health rate. */
export const criticalityLoad: Scenario = {
  name: 'criticality.load',
  title: 'Criticality: poll and post rates held, against the cost of one HTTP exchange',
  description:
    `First the yardstick: ${YARDSTICK_CLIENTS} closed-loop clients on GET /health, the cost of one HTTP exchange on this ` +
    'server and machine. Then GET /secapp/update from many consumer apps (in turn, with the shared token) at rising ' +
    'arrival rates, fractions of the yardstick, while a producer posts a state every second, so most polls answer {} ' +
    `and some deliver it; a step holds while p99 < ${GET_P99_LIMIT_MS} ms and fewer than ${BAD_LIMIT * 100} % of answers ` +
    'are wrong. Then POST /secapp/update from several producers the same way ' +
    `(p99 < ${POST_P99_LIMIT_MS} ms). The ratios are the highest rates held over the yardstick.`,
  sixParts: {
    source: 'many consumer apps polling, producer apps posting, at rising rates',
    stimulus: 'GET /secapp/update, then POST /secapp/update, stepped arrival rate (open model)',
    environment:
      'one server process on an embedded PostgreSQL, generator on the same cores (as the yardstick was measured)',
    artifact: 'criticality updates path: token check, the poll view read, the poll record and delivery mark',
    response: 'answer each poll with {} or a state not given before to that app; store each post',
    responseMeasure: `GET held ≥ 0.5 × GET /health with p99 < ${GET_P99_LIMIT_MS} ms; POST held ≥ 0.3 × GET /health; 0 duplicates`,
  },
  availabilityDefinition:
    'good = 200 with {} or a state that app was not given before (GET), 200 with its processed_id (POST); a ' +
    'duplicate delivery, any other status and no answer within 10 s are bad. Latency counts from the intended send time.',
  seedFigure: 'the original had no stress test',
  workload: (size) => ({
    model: 'open',
    stages: [...SIZES[size].get, ...SIZES[size].post].map(() => ({ rate: 0, durationS: SIZES[size].stepS })),
  }),
  headline: 'get_ratio',
  criteria: (size) => [
    ...(size === 'full'
      ? ['get_ratio >= 0.5', `get_p99_ms < ${GET_P99_LIMIT_MS}`, 'post_ratio >= 0.3']
      : // Smoke size runs inside a busy test run on shared cores: its rates say nothing.
        []),
    'deliveries > 0',
    'duplicates == 0',
    'malformed == 0',
    'alive_after == 1',
  ],
  async run(ctx) {
    const size = SIZES[ctx.size];
    const token = sharedToken();
    const run = Date.now().toString(36);
    const consumers = appHeaders(`consumer-${run}`, size.consumers, token);
    const producers = appHeaders(`producer-${run}`, PRODUCERS, token);
    // A latest state, and every consumer polled once: the steady state, where a poll finds its record.
    await postState(ctx, producers[0]!, 0);
    for (const headers of consumers) {
      const res = await ctx.http('GET', '/secapp/update', undefined, headers);
      if (res.status !== 200)
        throw new Error(`a first poll answered ${res.status} ${JSON.stringify(res.body)}`);
    }

    await warmUp(ctx, size.warmS, [{ request: () => ({ method: 'GET', path: '/health' }) }]);
    const stick = await yardstick(ctx, size.yardstickS);
    ctx.log(
      `yardstick: GET /health ${stick.rps}/s, p99 ${ms(stick.result.latency.p99)} ms (c=${YARDSTICK_CLIENTS})`,
    );
    // After the yardstick, not before: its seconds without a query would let the database pool
    // close its idle connections (10 s), and the first step would pay for opening them again.
    const ledger = new DeliveryLedger();
    await warmUp(ctx, size.warmS, [
      { request: postRequests(producers) },
      { request: pollRequests(consumers), isGood: ledger.isGood },
    ]);

    const polls = await withProducer(ctx, producers[0]!, () =>
      stepUp(
        ctx,
        {
          name: 'get',
          rates: rates(size.get, stick.rps),
          durationS: size.stepS,
          p99LimitMs: GET_P99_LIMIT_MS,
          badLimit: BAD_LIMIT,
        },
        pollRequests(consumers),
        ledger.isGood,
      ),
    );
    const get = polls.value;
    const post = await stepUp(
      ctx,
      {
        name: 'post',
        rates: rates(size.post, stick.rps),
        durationS: size.stepS,
        p99LimitMs: POST_P99_LIMIT_MS,
        badLimit: BAD_LIMIT,
      },
      postRequests(producers),
      processedIsGood,
    );
    const alive = (await ctx.http('GET', '/health').catch(() => ({ status: 0 }))).status === 200;

    const result = concatResults([...get.phases, ...post.phases]);
    // Only steps that failed at the generator before any held make the run prove nothing.
    result.generator.saturated =
      (get.held === 0 && get.stoppedBy === 'generator') ||
      (post.held === 0 && post.stoppedBy === 'generator');
    const ratio = (x: number) => (stick.rps ? Math.round((x / stick.rps) * 1000) / 1000 : 0);
    const served = (r: LoadResult) => Math.round(r.good / r.durationS);
    return {
      result,
      workload: { model: 'open', stages: [...get.stages, ...post.stages] },
      measures: {
        yardstick_rps: stick.rps,
        yardstick_p99_ms: ms(stick.result.latency.p99),
        yardstick_generator_saturated: stick.result.generator.saturated,
        get_rps: get.held,
        get_served_rps: served(get.best),
        get_ratio: ratio(get.held),
        get_p99_ms: ms(get.best.latency.p99),
        get_stopped_by: get.stoppedBy,
        post_rps: post.held,
        post_served_rps: served(post.best),
        post_ratio: ratio(post.held),
        post_p99_ms: ms(post.best.latency.p99),
        post_stopped_by: post.stoppedBy,
        consumers: size.consumers,
        states_posted_while_polling: polls.posted,
        deliveries: ledger.deliveries,
        duplicates: ledger.duplicates,
        malformed: ledger.malformed,
        alive_after: alive,
        ...get.measures,
        ...post.measures,
      },
    };
  },
};
