import os from 'node:os';
import { deleteStreams } from '../cluster.js';
import { concatResults } from '../merge.js';
import { isLoopback, startTarget } from '../target.js';
import { listenerPid, processTreeCpu, type TreeCpu } from '../cpu.js';
import type { LoadResult, Workload } from '../model.js';
import type { Scenario, ScenarioContext, Size } from '../scenario.js';
import { stepBroken } from '../steps.js';
import { countStatuses } from './shop-data.js';
import { countedOk, interaction, waitCounted } from './tracking-data.js';

const PLAN: Record<
  Size,
  { warmupS: number; rates: number[]; stepS: number; batchUsers: number; batchSize: number; batchS: number }
> = {
  full: {
    warmupS: 5,
    rates: [1500, 3000, 5000, 7500, 10_000, 12_500, 15_000],
    stepS: 10,
    batchUsers: 4,
    batchSize: 1000,
    batchS: 20,
  },
  smoke: { warmupS: 1, rates: [200], stepS: 2, batchUsers: 2, batchSize: 100, batchS: 2 },
};

/** A step holds when answers stay fast and right, and the pipeline keeps up with it. */
const P99_LIMIT_MS = 1000;
const BAD_LIMIT = 0.01;
/** Backlog allowed at the end of a step, in seconds of that step's rate. */
const LAG_LIMIT_S = 2;
const CAMPAIGNS = 200;

const workload = (size: Size): Workload => ({
  model: 'open',
  stages: [
    { rate: PLAN[size].rates[0]!, durationS: PLAN[size].warmupS },
    ...PLAN[size].rates.map((rate) => ({ rate, durationS: PLAN[size].stepS })),
  ],
});

const accepted = (r: LoadResult) => countStatuses(r.byStatus, (s) => s === 202);

/** The end-to-end rate of the tracking pipeline: accepted over HTTP → counted in the daily stats. */
export function trackingThroughput(broker: 'postgres' | 'jetstream'): Scenario {
  const viaNats = broker === 'jetstream';
  return {
    name: viaNats ? 'tracking.throughput.jetstream' : 'tracking.throughput',
    title: `Interaction throughput, end to end, through ${viaNats ? 'NATS JetStream' : 'the PostgreSQL stream'}`,
    description:
      'After a warm-up at the first rate (reported, not judged), single interactions arrive at a stepped ' +
      'rate (open model) until a step breaks: p99 over ' +
      `${P99_LIMIT_MS} ms, over ${BAD_LIMIT * 100} % bad answers, or a backlog of more than ${LAG_LIMIT_S} s of the ` +
      "step's rate not yet counted at its end. Then clients send batches of interactions as fast as they are " +
      'answered. After each part the run waits until the daily stats count every accepted interaction: ' +
      'nothing may be lost or counted twice.',
    sixParts: {
      source: "affiliates' pages: clicks, views and likes on campaign elements",
      stimulus: 'POST /tracking/interactions at a stepped rate; then POST /tracking/interactions/batch',
      environment: `one crucible serve with its workers, ${viaNats ? 'NATS JetStream (NATS_URL)' : 'the embedded PostgreSQL stream'}, generator on the same cores`,
      artifact: 'HTTP intake → event stream → tracking worker → interactions and daily counters',
      response: 'accept fast (202 once durable), count every interaction exactly once, keep the lag bounded',
      responseMeasure:
        'highest single rate held; batched events counted per second end to end; lost == 0; counted twice == 0',
    },
    availabilityDefinition:
      'good = 202 Accepted (durably stored); 503 (shed or broker down), other statuses and no answer within 10 s are ' +
      'bad. Loss is accepted minus counted once the pipeline has drained.',
    seedFigure: 'seed 004: 1,500 msg/s for 60 s with 6 workers (producer side only)',
    ...(viaNats
      ? {
          // A prefix of its own, so a fresh database never meets the events of an earlier run
          // on a shared NATS server; its streams are deleted when the run ends.
          async startTarget() {
            const url = process.env.NATS_URL ?? '';
            const prefix = `scenario${Date.now().toString(36)}`;
            const server = await startTarget({ env: { NATS_URL: url, NATS_PREFIX: prefix } });
            return {
              ...server,
              async stop() {
                await server.stop();
                await deleteStreams(url, prefix);
              },
            };
          },
          unavailable: () =>
            process.env.NATS_URL
              ? undefined
              : 'set NATS_URL to a NATS server with JetStream (e.g. `nats-server -js`, from apt-get install nats-server)',
        }
      : {}),
    workload,
    headline: 'highest_single_rate_held',
    criteria: (size) => [
      `highest_single_rate_held >= ${size === 'full' ? 10_000 : 200}`,
      `batch_events_per_s >= ${size === 'full' ? 100_000 : 1000}`,
      'lost == 0',
      'counted_twice == 0',
    ],
    async run(ctx) {
      const plan = PLAN[ctx.size];
      const run = Date.now().toString(36);
      const baseline = await countedOk(ctx);
      const phases: LoadResult[] = [];
      const measures: Record<string, number | string | boolean> = {};

      const single = (rate: number, durationS: number, label: string) =>
        ctx.load(
          {
            workload: { model: 'open', stages: [{ rate, durationS }] },
            request: () => ({
              method: 'POST',
              path: '/tracking/interactions',
              body: interaction(run, CAMPAIGNS),
            }),
            isGood: (status) => status === 202,
            connections: 256,
          },
          label,
        );

      // Part 1: single interactions, stepped, after a warm-up at the first rate that is reported
      // but not judged: a fresh process compiles its hot paths, fills its connection pools and
      // (on JetStream) sets up its consumers in its first seconds.
      // A NATS server on this machine shares its cores: its CPU is counted with the rest.
      const brokerPid = viaNats && ctx.target.local ? localListener(process.env.NATS_URL) : undefined;
      const cpuNow = (): CpuMark => ({
        target: ctx.target.cpu?.(),
        broker: brokerPid === undefined ? undefined : processTreeCpu(brokerPid)?.seconds,
        generator: process.cpuUsage(),
      });
      const cpuAtStart = cpuNow();
      const warmup = await single(plan.rates[0]!, plan.warmupS, 'warm-up');
      phases.push(warmup);
      let acceptedSoFar = accepted(warmup);
      let held = 0;
      let stoppedBy = 'end of steps';
      for (const rate of plan.rates) {
        const stepFrom = cpuNow();
        const r = await single(rate, plan.stepS, `${rate}/s`);
        phases.push(r);
        // The part's average cost mixes in the low steps, where each write carries fewer events
        // and so costs more per event: only a step's own cost bounds the rate of that step.
        const bound = cpuBound(stepFrom, cpuNow(), accepted(r));
        if (bound !== undefined) measures[`cpu_bound_at_${rate}`] = bound;
        acceptedSoFar += accepted(r);
        const backlog = acceptedSoFar - ((await countedOk(ctx)) - baseline);
        measures[`p99_ms_at_${rate}`] = Math.round(r.latency.p99 * 100) / 100;
        measures[`backlog_at_${rate}`] = backlog;
        const broken =
          stepBroken(r, P99_LIMIT_MS, BAD_LIMIT) ?? (backlog > rate * LAG_LIMIT_S ? 'lag' : undefined);
        if (broken) {
          stoppedBy = broken;
          const carry =
            bound === undefined ? '' : ` (at this step's CPU cost the cores carry about ${bound}/s)`;
          ctx.log(`${rate}/s broke the threshold (${broken}); highest single rate held: ${held}/s${carry}`);
          break;
        }
        held = rate;
      }
      const singles = await drain(ctx, baseline, acceptedSoFar, 'singles');
      const cpuAfterSingles = cpuNow();

      // Part 2: batches, closed model (each client sends its next batch when answered).
      const beforeBatches = singles.counted;
      // Made and serialized before the clock starts, a few to take turns: building a thousand
      // interactions per request cost the generator more than the rest of its work, on the
      // cores the target shares. The server gives every event its own id all the same.
      const bodies = Array.from({ length: 8 }, () =>
        JSON.stringify(Array.from({ length: plan.batchSize }, () => interaction(run, CAMPAIGNS))),
      );
      let sent = 0;
      const batchStart = performance.now();
      const batch = await ctx.load(
        {
          workload: { model: 'closed', users: plan.batchUsers, durationS: plan.batchS, thinkMs: [0, 0] },
          request: () => ({
            method: 'POST',
            path: '/tracking/interactions/batch',
            headers: { 'content-type': 'application/json' },
            body: bodies[sent++ % bodies.length]!,
          }),
          isGood: (status) => status === 202,
        },
        'batches',
      );
      phases.push(batch);
      const batchAccepted = accepted(batch) * plan.batchSize;
      const batches = await drain(ctx, beforeBatches, batchAccepted, 'batches');
      const batchE2eS = (performance.now() - batchStart) / 1000;
      const cpuAfterBatches = cpuNow();

      const totalAccepted = acceptedSoFar + batchAccepted;
      const totalCounted = batches.counted - baseline;
      const result = concatResults(phases);
      result.generator.saturated = held === 0 && stoppedBy === 'generator';
      return {
        result,
        measures: {
          highest_single_rate_held: held,
          stopped_by: stoppedBy,
          singles_accepted: acceptedSoFar,
          singles_drain_ms: singles.waitedMs,
          batch_accepted_per_s: Math.round(batchAccepted / batch.durationS),
          batch_events_per_s: Math.round(batchAccepted / batchE2eS),
          batch_drain_ms: batches.waitedMs,
          accepted: totalAccepted,
          counted: totalCounted,
          lost: Math.max(0, totalAccepted - totalCounted),
          counted_twice: Math.max(0, totalCounted - totalAccepted),
          ...cpuMeasures('singles', cpuAtStart, cpuAfterSingles, acceptedSoFar),
          ...cpuMeasures('batch', cpuAfterSingles, cpuAfterBatches, batchAccepted),
          ...measures,
        },
      };
    },
  };
}

interface CpuMark {
  /** The target's CPU (server, its workers and embedded PostgreSQL), when known. */
  target?: TreeCpu;
  /** CPU seconds of a broker on this machine (the NATS server), when it could be found. */
  broker?: number;
  generator: NodeJS.CpuUsage;
}

/** The process listening on a loopback URL's port, when there is one and it can be seen. */
function localListener(url: string | undefined): number | undefined {
  if (!url) return undefined;
  const parsed = new URL(url);
  if (!isLoopback(parsed)) return undefined;
  return listenerPid(Number(parsed.port || 4222)); // NATS's default port
}

const perEvent = (seconds: number, events: number) => Math.round(((seconds * 1e6) / events) * 10) / 10;

/**
 * CPU per interaction over a part, from accepting it to counting it, on each side (and the
 * embedded PostgreSQL's share of the target's), and the rate this machine's cores could carry at
 * that cost if they did nothing else: what bounds the part's rate when the cores are the limit.
 * Only for a target the harness started on Linux. A NATS server on this machine is counted apart
 * (`broker`) and in the bound; one elsewhere, or one whose process cannot be seen, is not.
 */
function cpuMeasures(part: string, from: CpuMark, to: CpuMark, events: number) {
  const spent = cpuSpent(from, to);
  if (spent === undefined || events === 0) return {};
  const { target, postgres, broker, generator } = spent;
  return {
    [`${part}_target_cpu_us_per_event`]: perEvent(target, events),
    [`${part}_postgres_cpu_us_per_event`]: perEvent(postgres, events),
    ...(broker === undefined ? {} : { [`${part}_broker_cpu_us_per_event`]: perEvent(broker, events) }),
    [`${part}_generator_cpu_us_per_event`]: perEvent(generator, events),
    [`${part}_cpu_bound_events_per_s`]: boundOf(spent, events),
  };
}

/** CPU seconds each side spent between two marks; undefined when the target's is unknown. */
function cpuSpent(from: CpuMark, to: CpuMark) {
  if (from.target === undefined || to.target === undefined) return undefined;
  return {
    target: to.target.seconds - from.target.seconds,
    postgres: (to.target.byName.postgres ?? 0) - (from.target.byName.postgres ?? 0),
    broker: from.broker !== undefined && to.broker !== undefined ? to.broker - from.broker : undefined,
    generator: (to.generator.user - from.generator.user + to.generator.system - from.generator.system) / 1e6,
  };
}

/** Events a second this machine's cores could carry at the cost seen between two marks. */
function cpuBound(from: CpuMark, to: CpuMark, events: number): number | undefined {
  const spent = cpuSpent(from, to);
  return spent === undefined || events === 0 ? undefined : boundOf(spent, events);
}

function boundOf(spent: NonNullable<ReturnType<typeof cpuSpent>>, events: number): number {
  const seconds = spent.target + (spent.broker ?? 0) + spent.generator;
  return Math.round((os.availableParallelism() * events) / seconds);
}

/** Waits for the stats to count what was accepted since `from`; logs how long it took. */
async function drain(ctx: ScenarioContext, from: number, acceptedCount: number, what: string) {
  const { counted, waitedMs } = await waitCounted(ctx, from + acceptedCount);
  ctx.log(`${what}: ${acceptedCount} accepted, ${counted - from} counted, drained in ${waitedMs} ms`);
  return { counted, waitedMs };
}
