import { randomBytes } from 'node:crypto';
import { describeSecond, simulate } from '../criticality/simulation.js';
import { startInstances, type Instances } from '../instances.js';
import type { Workload } from '../model.js';
import type { Scenario, Size } from '../scenario.js';

interface Plan {
  consumers: number;
  producers: number;
  durationS: number;
  pollMs: number;
  postMs: number;
}

const PLAN: Record<Size, Plan> = {
  full: { consumers: 200, producers: 2, durationS: 30, pollMs: 1000, postMs: 1000 },
  smoke: { consumers: 20, producers: 2, durationS: 4, pollMs: 250, postMs: 500 },
};
const INSTANCES = 2;

const workload = (size: Size): Workload => {
  const p = PLAN[size];
  return {
    model: 'closed',
    users: p.consumers * INSTANCES + p.producers,
    durationS: p.durationS,
    thinkMs: [p.pollMs / 2, (p.pollMs * 3) / 2],
  };
};

const hasInstances = (t: unknown): t is Instances => typeof t === 'object' && t !== null && 'urls' in t;

/** Many consumer apps, each polled through two instances at once, while producers post. */
export const criticalityExactlyOnce: Scenario = {
  name: 'criticality.exactly-once',
  title: 'Every new state delivered once to every consumer, through two instances on one database',
  description:
    'Producers post a new level about every second while many consumer apps poll GET /secapp/update. Each ' +
    'consumer app polls through both instances at the same time (two pollers under one App-name, one per ' +
    'instance), so the atomic check-and-mark is raced across processes on every new state. From the clients ' +
    'own records (when each call left and was answered) the run counts duplicates (a state given twice to one ' +
    'app) and misses (an app that polled while a state was surely the latest, after its POST was answered and ' +
    'before any other POST was sent, and was not given it by then).',
  sixParts: {
    source: 'producer apps and many consumer apps (the original clients, simulated)',
    stimulus:
      'POST /secapp/update about every second; each consumer app polling about every second per instance',
    environment: `${INSTANCES} crucible serve instances on one crucible db (embedded PostgreSQL); one machine`,
    artifact: 'the latest-state rule and the delivery check-and-mark of GET /secapp/update',
    response: 'each app is given each state it polls for once, whichever instance answers, then {}',
    responseMeasure: 'duplicates == 0, missed == 0, wrong state == 0, no errors',
  },
  availabilityDefinition: 'good = 200; valid = every POST and GET sent.',
  seedFigure: 'seed 001: one process, one global state; no concurrency or redundancy tested',
  startTarget: () => startInstances({ count: INSTANCES, workers: false, env: { SERVICES: 'criticality' } }),
  workload,
  headline: 'duplicates',
  criteria: () => [
    'duplicates == 0',
    'missed == 0',
    'wrong_state == 0',
    'pairs_checked > 0',
    'error_rate == 0',
  ],
  async run(ctx) {
    const plan = PLAN[ctx.size];
    const urls = hasInstances(ctx.target) ? ctx.target.urls : [ctx.target.url];
    if (urls.length < INSTANCES) ctx.log(`one target URL: every poll goes to ${urls[0]}`);
    ctx.log(
      `${plan.consumers} consumer apps × ${urls.length} pollers, ${plan.producers} producers, ${plan.durationS} s`,
    );
    const sim = await simulate({
      urls,
      producers: plan.producers,
      consumers: plan.consumers,
      pollersPerConsumer: urls.length,
      durationMs: plan.durationS * 1000,
      pollIntervalMs: plan.pollMs,
      postIntervalMs: plan.postMs,
      token: process.env.SECAPP_API_TOKEN || 'dev-secapp-token',
      runId: `once-${randomBytes(3).toString('hex')}`,
      onSecond: (s) => {
        if ((s.t + 1) % 5 === 0 || ctx.size === 'smoke') ctx.log(describeSecond(s));
      },
    });
    const v = sim.verdict;
    ctx.log(
      `${v.statesStored} states, ${v.polls} polls, ${v.deliveries} deliveries; ${v.pollsChecked} polls fell ` +
        `where the latest state was certain`,
    );
    return {
      result: sim.load,
      workload: { ...workload(ctx.size), users: plan.consumers * urls.length + plan.producers },
      measures: {
        instances: urls.length,
        consumers: plan.consumers,
        states_posted: v.statesStored,
        posts: sim.posts.length,
        polls: v.polls,
        deliveries: v.deliveries,
        duplicates: v.duplicates,
        missed: v.missed,
        wrong_state: v.wrongState,
        polls_checked: v.pollsChecked,
        pairs_checked: v.pairsChecked,
        errors: sim.errors,
      },
    };
  },
};
