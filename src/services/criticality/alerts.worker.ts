import type { Job } from '../../platform/jobs/jobs.js';
import type { ServiceContext } from '../../platform/service.js';
import {
  clearAnsweredAlerts,
  raiseStaleAlerts,
  type ClearedAlert,
  type RaisedAlert,
} from './alerts.repository.js';
import { alertConfig } from './config.js';

export const WEBHOOK_QUEUE = 'criticality-alert-webhook';
export const WEBHOOK_DEAD_LETTER = `${WEBHOOK_QUEUE}-dead`;
const WEBHOOK_TIMEOUT_MS = 10_000;

/** What the webhook receives, one POST per alert raised or cleared. */
export interface AlertEvent {
  event: 'consumer.stale' | 'consumer.recovered';
  app_name: string;
  alert_id: number;
  last_poll_at: string;
  raised_at: string;
  cleared_at?: string;
  /** The poll that ended the silence. */
  polled_at?: string;
  stale_after_seconds: number;
}

function raisedEvent(a: RaisedAlert, staleAfterMs: number): AlertEvent {
  return {
    event: 'consumer.stale',
    app_name: a.app_name,
    alert_id: a.id,
    last_poll_at: a.last_poll_at.toISOString(),
    raised_at: a.raised_at.toISOString(),
    stale_after_seconds: staleAfterMs / 1000,
  };
}

function clearedEvent(a: ClearedAlert, staleAfterMs: number): AlertEvent {
  return {
    ...raisedEvent(a, staleAfterMs),
    event: 'consumer.recovered',
    cleared_at: a.cleared_at.toISOString(),
    polled_at: a.polled_at.toISOString(),
  };
}

/**
 * The stale-consumer check, in every worker process: every interval it raises the alerts of
 * consumers silent past the window and clears those of consumers that polled again. Raising and
 * clearing are claimed in PostgreSQL, so however many processes check, each alert is raised,
 * logged and sent once. The webhook's POSTs are jobs, enqueued in the claim's transaction and
 * retried with backoff, so a slow or failing receiver never holds up a check or a request.
 */
export async function startAlertWorkers(ctx: ServiceContext): Promise<() => Promise<void>> {
  const config = alertConfig(ctx.env);
  const { log } = ctx;
  const webhook = config.alertWebhook;
  if (webhook) {
    await ctx.jobs.createQueue(WEBHOOK_DEAD_LETTER);
    await ctx.jobs.createQueue(WEBHOOK_QUEUE, {
      retryLimit: 8,
      retryDelay: 1,
      retryBackoff: true,
      deadLetter: WEBHOOK_DEAD_LETTER,
    });
    await ctx.jobs.work<AlertEvent>(WEBHOOK_QUEUE, {}, async (jobs: Job<AlertEvent>[]) => {
      for (const job of jobs) await deliver(webhook, job.data);
    });
  }

  const check = async () => {
    const { raised, cleared } = await ctx.db.transaction().execute(async (trx) => {
      const raised = await raiseStaleAlerts(trx, config.staleAfterMs);
      const cleared = await clearAnsweredAlerts(trx);
      if (webhook) {
        const events = [
          ...raised.map((a) => raisedEvent(a, config.staleAfterMs)),
          ...cleared.map((a) => clearedEvent(a, config.staleAfterMs)),
        ];
        for (const event of events) await ctx.jobs.send(WEBHOOK_QUEUE, event, { tx: trx });
      }
      return { raised, cleared };
    });
    for (const a of raised)
      log.warn(
        {
          app: a.app_name,
          alert_id: a.id,
          last_poll_at: a.last_poll_at,
          stale_after_ms: config.staleAfterMs,
        },
        `stale consumer: ${a.app_name} has not polled since ${a.last_poll_at.toISOString()}`,
      );
    for (const a of cleared)
      log.info(
        { app: a.app_name, alert_id: a.id, polled_at: a.polled_at },
        `consumer ${a.app_name} polls again: stale alert cleared`,
      );
  };

  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let closed = false;
  const poll = () => {
    inFlight = check()
      .catch((err: unknown) => log.error({ err }, 'stale-consumer check failed; trying again next interval'))
      .finally(() => {
        inFlight = undefined;
        if (!closed) timer = setTimeout(poll, config.checkIntervalMs);
      });
  };
  timer = setTimeout(poll, config.checkIntervalMs);
  log.info(
    {
      stale_after_ms: config.staleAfterMs,
      check_interval_ms: config.checkIntervalMs,
      webhook: Boolean(webhook),
    },
    'stale-consumer check running',
  );
  return async () => {
    closed = true;
    clearTimeout(timer);
    await inFlight;
  };
}

async function deliver(url: URL, event: AlertEvent): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  // The body is not read: drain it so the connection can be reused.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new Error(`alert webhook answered ${response.status}; retried with backoff`);
}
