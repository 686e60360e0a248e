import { nginxMissing, startCluster, type Cluster } from '../cluster.js';
import type { Workload } from '../model.js';
import type { Scenario, Size } from '../scenario.js';
import { countStatuses } from './shop-data.js';
import { countedOk, keyedClient, waitCounted } from './tracking-data.js';

const PLAN: Record<
  Size,
  { rate: number; durationS: number; killInstanceAtS: number; killWorkerAtS: number }
> = {
  // The seed's 10,000 POSTs, at a steady 500/s so the kills land mid-stream.
  full: { rate: 500, durationS: 20, killInstanceAtS: 6, killWorkerAtS: 10 },
  smoke: { rate: 100, durationS: 4, killInstanceAtS: 1, killWorkerAtS: 2 },
};

const workload = (size: Size): Workload => ({
  model: 'open',
  stages: [{ rate: PLAN[size].rate, durationS: PLAN[size].durationS }],
});

const isCluster = (t: unknown): t is Cluster => typeof t === 'object' && t !== null && 'instances' in t;

/** The seed's availability test: nginx over three instances, one instance and one worker killed. */
export const trackingAvailability: Scenario = {
  name: 'tracking.availability',
  title: 'Availability: nginx over three instances, one instance and one worker killed mid-run',
  description:
    'As the original: 10,000 POST /tracking/interactions through nginx, balanced over three instances. During the ' +
    'run one instance and one of the two workers are killed (SIGKILL). Every accepted interaction must be counted ' +
    'exactly once; the report gives the request availability and how long failures lasted after the kill.',
  sixParts: {
    source: "affiliates' traffic through the load balancer",
    stimulus: '10,000 POSTs at 500/s; SIGKILL of instance 2 at 6 s and of worker 1 at 10 s',
    environment:
      'nginx (deploy/nginx.conf) over 3 crucible serve --no-workers, 2 crucible worker, one crucible db; one machine',
    artifact: 'the tracking pipeline deployed as several processes',
    response: "nginx routes around the dead instance; the live worker takes the dead one's partitions",
    responseMeasure:
      'availability ≥ 99.9 %, failures for ≤ 1 s after the kill, lost == 0, counted twice == 0',
  },
  availabilityDefinition:
    'good = 202 Accepted within 10 s; valid = every request sent. nginx passes a request the killed instance ' +
    'refused or dropped to the next one, with the same Idempotency-Key (its request id when the client sent none), ' +
    'so a retried interaction keeps its id and is counted once.',
  seedFigure: 'seed 004: 10,000 POSTs through nginx to 3 instances (no kill, no figure reported)',
  unavailable: nginxMissing,
  startTarget: () => startCluster({ instances: 3, workers: 2, env: { SERVICES: 'tracking' } }),
  workload,
  headline: 'availability',
  criteria: () => ['availability >= 0.999', 'failing_seconds <= 1', 'lost == 0', 'counted_twice == 0'],
  async run(ctx) {
    const plan = PLAN[ctx.size];
    const cluster = isCluster(ctx.target) ? ctx.target : undefined;
    if (!cluster) ctx.log('the target is not a cluster the harness started: nothing is killed');
    const run = Date.now().toString(36);
    const baseline = await countedOk(ctx);
    const kills: NodeJS.Timeout[] = [];
    if (cluster) {
      kills.push(
        setTimeout(() => {
          ctx.log(`killing ${cluster.instances[1]!.name} (SIGKILL)`);
          cluster.instances[1]!.child.kill('SIGKILL');
        }, plan.killInstanceAtS * 1000),
        setTimeout(() => {
          ctx.log(`killing ${cluster.workers[0]!.name} (SIGKILL)`);
          cluster.workers[0]!.child.kill('SIGKILL');
        }, plan.killWorkerAtS * 1000),
      );
    }
    const client = keyedClient(run, 20);
    const result = await ctx.load(
      { workload: workload(ctx.size), request: client.request, isGood: client.isGood },
      'posts',
    );
    kills.forEach(clearTimeout);
    const accepted = countStatuses(result.byStatus, (s) => s === 202);
    const { retried, neverAccepted } = await client.retryRefused(ctx);
    if (client.sent > accepted)
      ctx.log(
        `${client.sent - accepted} not accepted during the run: ${retried} accepted on a retry with their key`,
      );
    const meant = client.sent - neverAccepted;
    const { counted, waitedMs } = await waitCounted(ctx, baseline + meant);
    const countedNow = counted - baseline;
    ctx.log(`${meant} accepted in all, ${countedNow} counted, drained ${waitedMs} ms after the load`);
    const failing = result.timeline.filter((s) => s.completed > s.good).map((s) => s.t);
    return {
      result,
      measures: {
        requests: result.requests,
        accepted,
        failed: result.requests - result.good,
        // Seconds of the run in which some request failed: the outage as clients saw it.
        failing_seconds: failing.length,
        failing_at_s: failing.join(' ') || 'none',
        accepted_on_retry: retried,
        counted: countedNow,
        lost: Math.max(0, meant - countedNow),
        counted_twice: Math.max(0, countedNow - meant),
        killed: cluster ? `${cluster.instances[1]!.name}, ${cluster.workers[0]!.name}` : 'nothing',
      },
    };
  },
};
