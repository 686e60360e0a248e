import { natsServerMissing, startNatsCluster, streamLeader, type NatsCluster } from '../cluster.js';
import type { Workload } from '../model.js';
import type { Scenario, Size } from '../scenario.js';
import { startTarget, type Target } from '../target.js';
import { countStatuses } from './shop-data.js';
import { countedOk, keyedClient, waitCounted } from './tracking-data.js';

const PLAN: Record<Size, { rate: number; durationS: number; killAtS: number }> = {
  full: { rate: 1000, durationS: 30, killAtS: 10 },
  smoke: { rate: 100, durationS: 6, killAtS: 2 },
};

const workload = (size: Size): Workload => ({
  model: 'open',
  stages: [{ rate: PLAN[size].rate, durationS: PLAN[size].durationS }],
});

type FailoverTarget = Target & { nats: NatsCluster };
const hasNats = (t: unknown): t is FailoverTarget => typeof t === 'object' && t !== null && 'nats' in t;

/** A broker node dies mid-stream: the R3 stream keeps every accepted interaction. */
export const trackingBrokerFailover: Scenario = {
  name: 'tracking.broker-failover',
  title: 'Broker failover: one node of a 3-node JetStream cluster killed mid-run',
  description:
    'Interactions arrive at a steady rate through a 3-node NATS JetStream cluster holding the tracking stream with ' +
    'three replicas. One node is killed (SIGKILL) mid-run. While the cluster elects new leaders the service may ' +
    'refuse with 503; the clients send each interaction with its own Idempotency-Key and, after the load, send ' +
    'the refused ones again with the same key. Every interaction accepted, during the run or on a retry, must be ' +
    'counted, once: a refused request that was stored all the same must not count twice.',
  sixParts: {
    source: 'a broker node failing (crash, host loss)',
    stimulus: 'SIGKILL of the node leading the stream (of three) while interactions flow',
    environment: 'one crucible serve with workers, NATS_URL = the three nodes, NATS_REPLICAS=3; one machine',
    artifact: 'the JetStream events adapter and the R3 tracking stream',
    response: 'clients reconnect to the live nodes; the stream keeps its data; the pipeline goes on',
    responseMeasure:
      'lost == 0, counted twice == 0; writes refused for at most 10 s (the election) and then served',
  },
  availabilityDefinition:
    'good = 202 Accepted within 10 s. A 503 during the election is an honest refusal (the client retries); it is ' +
    'bad for availability but not a loss. Loss is accepted (during the run or on a retry) minus counted once the ' +
    'pipeline has drained; counted twice is the reverse.',
  seedFigure: 'seed 004: Pulsar, no broker failure tested',
  unavailable: natsServerMissing,
  async startTarget() {
    const nats = await startNatsCluster(3);
    try {
      const server = await startTarget({
        env: { NATS_URL: nats.url, NATS_REPLICAS: '3', SERVICES: 'tracking' },
      });
      return {
        ...server,
        nats,
        async stop() {
          await server.stop();
          await nats.stop();
        },
      } satisfies FailoverTarget;
    } catch (err) {
      await nats.stop();
      throw err;
    }
  },
  workload,
  headline: 'lost',
  // nats-server 2.9 elects a new stream leader after a 4–9 s raft timeout: writes stop that long
  // (the publishes retry for 3 s, then refuse with 503). The run must show the outage bounded
  // and nothing accepted lost; the smoke size is too short to see the recovery.
  criteria: (size) =>
    size === 'full'
      ? ['lost == 0', 'counted_twice == 0', 'failing_seconds <= 10']
      : ['lost == 0', 'counted_twice == 0'],
  async run(ctx) {
    const plan = PLAN[ctx.size];
    const target = hasNats(ctx.target) ? ctx.target : undefined;
    if (!target) ctx.log('the target was not started by the harness: no broker node is killed');
    const run = Date.now().toString(36);
    const baseline = await countedOk(ctx);
    // The node leading the stream's replicas: losing it forces an election, the hard case.
    const leader = target ? await streamLeader(target.nats.url, 'CRUCIBLE_tracking') : undefined;
    const victim =
      target?.nats.nodes.find((n) => leader === `crucible-n${n.name.split('-')[1]}`) ?? target?.nats.nodes[0];
    if (target) ctx.log(`the tracking stream's leader is ${leader ?? 'unknown'}`);
    const kill = victim
      ? setTimeout(() => {
          ctx.log(`killing ${victim.name} (SIGKILL)`);
          victim.child.kill('SIGKILL');
        }, plan.killAtS * 1000)
      : undefined;
    const client = keyedClient(run, 50);
    const result = await ctx.load(
      { workload: workload(ctx.size), request: client.request, isGood: client.isGood },
      'posts',
    );
    clearTimeout(kill);
    const accepted = countStatuses(result.byStatus, (s) => s === 202);
    const { retried, neverAccepted } = await client.retryRefused(ctx);
    ctx.log(
      `${client.sent - accepted} not accepted during the run: ${retried} accepted on a retry with their key`,
    );
    const meant = client.sent - neverAccepted;
    const { counted, waitedMs } = await waitCounted(ctx, baseline + meant, 60_000);
    const countedNow = counted - baseline;
    ctx.log(`${meant} accepted in all, ${countedNow} counted, drained ${waitedMs} ms after the load`);
    return {
      result,
      measures: {
        accepted,
        refused_503: countStatuses(result.byStatus, (s) => s === 503),
        failing_seconds: result.timeline.filter((s) => s.completed > s.good).length,
        accepted_on_retry: retried,
        never_accepted: neverAccepted,
        counted: countedNow,
        lost: Math.max(0, meant - countedNow),
        counted_twice: Math.max(0, countedNow - meant),
        killed: victim?.name ?? 'nothing',
      },
    };
  },
};
