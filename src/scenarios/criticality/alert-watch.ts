import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** One POST the alert webhook received, as the criticality service sends it. */
export interface ReceivedAlert {
  /** `performance.now()` when it arrived. */
  at: number;
  event: string;
  app_name: string;
  last_poll_at: string;
  raised_at: string;
  cleared_at?: string;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedAlert[];
  close(): Promise<void>;
}

/** A local receiver for CRITICALITY_ALERT_WEBHOOK that keeps every event it is sent. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedAlert[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      try {
        received.push({ at: performance.now(), ...(JSON.parse(body) as Omit<ReceivedAlert, 'at'>) });
        res.writeHead(204).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    received,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A value of an unlabelled sample in Prometheus text, undefined when absent. */
export function metricValue(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

export interface MetricsSample {
  at: number;
  alerts: number;
  stale: number;
}

/** Scrapes /metrics every `everyMs` until stopped, keeping the two alert figures of each scrape. */
export function watchAlertMetrics(scrape: () => Promise<string>, everyMs = 100) {
  const samples: MetricsSample[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const text = await scrape().catch(() => '');
      const alerts = metricValue(text, 'criticality_stale_alerts_total');
      const stale = metricValue(text, 'criticality_stale_consumers');
      if (alerts !== undefined && stale !== undefined) samples.push({ at: performance.now(), alerts, stale });
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    samples,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
