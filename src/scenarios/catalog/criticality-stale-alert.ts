import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { startWebhookReceiver, watchAlertMetrics, type WebhookReceiver } from '../criticality/alert-watch.js';
import { simulate } from '../criticality/simulation.js';
import { startInstances, type Instances } from '../instances.js';
import type { Workload } from '../model.js';
import type { Scenario, ScenarioContext, Size } from '../scenario.js';

const STALE_AFTER_MS = 3000;
const CHECK_INTERVAL_MS = 500;
const WINDOW_MS = STALE_AFTER_MS + CHECK_INTERVAL_MS;
/** Seen from outside: a /metrics scrape every 100 ms, or a webhook job picked up within pg-boss's 0.5 s poll. */
const TOLERANCE_MS = { metrics: 300, webhook: 1000 };
const INSTANCES = 2;
const TOKEN = () => process.env.SECAPP_API_TOKEN || 'dev-secapp-token';

const PLAN: Record<Size, { steady: number; durationS: number }> = {
  full: { steady: 50, durationS: 12 },
  smoke: { steady: 3, durationS: 10 },
};

const workload = (size: Size): Workload => ({
  model: 'closed',
  users: PLAN[size].steady + 1,
  durationS: PLAN[size].durationS,
  thinkMs: [250, 750],
});

type AlertTarget = Instances & { webhook: WebhookReceiver };
const hasWebhook = (t: unknown): t is AlertTarget => typeof t === 'object' && t !== null && 'webhook' in t;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
async function until(done: () => boolean, deadline: number) {
  while (!done() && performance.now() < deadline) await sleep(50);
}

/** One poll of the silent consumer, timed by its send. */
async function pollOnce(ctx: ScenarioContext, app: string): Promise<number> {
  const sentAt = performance.now();
  const answer = await ctx.http('GET', '/secapp/update', undefined, { 'App-name': app, token: TOKEN() });
  if (answer.status !== 200) throw new Error(`the poll of ${app} answered ${answer.status}`);
  return sentAt;
}

/** A consumer goes silent: its alert fires once, on time, and clears when it polls again. */
export const criticalityStaleAlert: Scenario = {
  name: 'criticality.stale-alert',
  title: 'A silent consumer raises one alert within the window, cleared when it polls again',
  description:
    `Two instances with their workers check for stale consumers every ${CHECK_INTERVAL_MS} ms ` +
    `(CRITICALITY_STALE_AFTER=${STALE_AFTER_MS / 1000}s), with the alert webhook pointing at a receiver the ` +
    'scenario runs. One consumer app polls once and goes silent while others keep polling; then it polls ' +
    'again. Measured from its poll: when /metrics counts the alert and when the webhook receives consumer.stale; ' +
    'then that both instances together raised it once, that it clears once (consumer.recovered, the gauge back ' +
    'to 0), and that the consumers that kept polling raised nothing.',
  sixParts: {
    source: 'a consumer app that stops polling (crashed, cut off)',
    stimulus: `silence longer than CRITICALITY_STALE_AFTER (${STALE_AFTER_MS / 1000} s), then a poll again`,
    environment: `${INSTANCES} crucible serve instances with workers on one crucible db; a local webhook receiver`,
    artifact: 'the stale-consumer check (alerts.worker) and its webhook jobs',
    response:
      'one alert per silence: a log line, criticality_stale_alerts_total + 1, one consumer.stale POST; cleared on the next poll',
    responseMeasure: `alert within stale_after + one check interval (${WINDOW_MS} ms) + tolerance, once; cleared once`,
  },
  availabilityDefinition:
    'good = 200 to the polls of the consumers that keep polling; valid = every poll sent.',
  seedFigure: 'seed 001: no alert (listed as pending)',
  async startTarget() {
    const webhook = await startWebhookReceiver();
    try {
      const env = {
        SERVICES: 'criticality',
        CRITICALITY_STALE_AFTER: `${STALE_AFTER_MS}ms`,
        CRITICALITY_CHECK_INTERVAL: `${CHECK_INTERVAL_MS}ms`,
        CRITICALITY_ALERT_WEBHOOK: webhook.url,
      };
      const instances = await startInstances({ count: INSTANCES, env });
      return {
        ...instances,
        webhook,
        async stop() {
          await instances.stop();
          await webhook.close();
        },
      } satisfies AlertTarget;
    } catch (err) {
      await webhook.close();
      throw err;
    }
  },
  workload,
  headline: 'time_to_alert_ms',
  criteria: () => [
    'raise_ms >= 3000',
    `time_to_alert_ms <= ${WINDOW_MS + TOLERANCE_MS.metrics}`,
    `webhook_ms <= ${WINDOW_MS + TOLERANCE_MS.webhook}`,
    'alerts_counted == 1',
    'stale_events == 1',
    'recovered_events == 1',
    'stale_gauge_after == 0',
    'false_alerts == 0',
  ],
  async run(ctx) {
    const plan = PLAN[ctx.size];
    const target = hasWebhook(ctx.target) ? ctx.target : undefined;
    if (!target)
      ctx.log('not started by the harness: no webhook receiver, and the target keeps its own stale window');
    const run = `stale-${randomBytes(3).toString('hex')}`;
    const silent = `${run}-silent`;
    const received = target?.webhook.received ?? [];
    const events = (event: string, app = silent) =>
      received.filter((e) => e.event === event && e.app_name === app);
    const metrics = watchAlertMetrics(async () => String((await ctx.http('GET', '/metrics')).body));
    await until(() => metrics.samples.length > 0, performance.now() + 5000);
    const baseline = metrics.samples.at(-1)?.alerts ?? 0;
    const steady = simulate({
      urls: target?.urls ?? [ctx.target.url],
      producers: 0,
      consumers: plan.steady,
      durationMs: plan.durationS * 1000,
      pollIntervalMs: 500,
      postIntervalMs: 1000,
      token: TOKEN(),
      runId: run,
    });
    const polledAt = await pollOnce(ctx, silent);
    ctx.log(`${silent} polled once and goes silent; ${plan.steady} others keep polling`);
    const counted = () => metrics.samples.find((s) => s.at > polledAt && s.alerts > baseline);
    await until(() => Boolean(counted()) && events('consumer.stale').length > 0, polledAt + WINDOW_MS + 5000);
    const alertAt = counted()?.at;
    const staleEvent = events('consumer.stale')[0];
    ctx.log(
      `alert counted after ${alertAt ? Math.round(alertAt - polledAt) : '—'} ms, webhook after ` +
        `${staleEvent ? Math.round(staleEvent.at - polledAt) : '—'} ms (window ${WINDOW_MS} ms)`,
    );
    const gaugeDuring = metrics.samples.at(-1)?.stale ?? 0;
    // Four more checks by each instance: a second alert for the same silence would show here.
    await sleep(4 * CHECK_INTERVAL_MS);
    const recoveredAt = await pollOnce(ctx, silent);
    const gaugeBack = () => metrics.samples.find((s) => s.at > recoveredAt + 100 && s.stale === 0);
    await until(() => Boolean(gaugeBack()) && events('consumer.recovered').length > 0, recoveredAt + 5000);
    const recoveredEvent = events('consumer.recovered')[0];
    ctx.log(
      `${silent} polled again: recovered after ${recoveredEvent ? Math.round(recoveredEvent.at - recoveredAt) : '—'} ms`,
    );
    await sleep(4 * CHECK_INTERVAL_MS);
    // Counted now, before the app's next silence (it polls no more) raises an alert of its own.
    await metrics.stop();
    const last = metrics.samples.at(-1);
    const staleEvents = events('consumer.stale').length;
    const recoveredEvents = events('consumer.recovered').length;
    const sim = await steady;
    const ms = (to: number | undefined, from: number) => (to === undefined ? -1 : Math.round(to - from));
    return {
      result: sim.load,
      measures: {
        window_ms: WINDOW_MS,
        raise_ms: staleEvent ? Date.parse(staleEvent.raised_at) - Date.parse(staleEvent.last_poll_at) : -1,
        time_to_alert_ms: ms(alertAt, polledAt),
        webhook_ms: ms(staleEvent?.at, polledAt),
        alerts_counted: (last?.alerts ?? baseline) - baseline,
        stale_gauge_during: gaugeDuring,
        stale_events: staleEvents,
        recovered_events: recoveredEvents,
        time_to_recover_ms: ms(recoveredEvent?.at, recoveredAt),
        stale_gauge_after: last?.stale ?? -1,
        false_alerts: received.filter((e) => e.event === 'consumer.stale' && e.app_name !== silent).length,
        steady_consumers: plan.steady,
      },
    };
  },
};
