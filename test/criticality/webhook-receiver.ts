import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertEvent } from '../../src/services/criticality/alerts.worker.js';

/** One POST the receiver took, and the status it answered (undefined while held). */
export interface Delivery {
  event: AlertEvent;
  status: number | undefined;
}

/** `hold`: keep the request open until `release()`, then answer 500. */
type Answer = number | 'hold';

/**
 * A real HTTP server on 127.0.0.1 standing in for the alert webhook. It answers 200 unless told
 * otherwise for an app, so a test can make one receiver fail or hang while others go through.
 */
export async function webhookReceiver() {
  const deliveries: Delivery[] = [];
  const plans = new Map<string, Answer[]>();
  const held: (() => void)[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const delivery: Delivery = { event: JSON.parse(body) as AlertEvent, status: undefined };
      deliveries.push(delivery);
      const answer = (status: number) => {
        delivery.status = status;
        response.writeHead(status, { 'content-type': 'text/plain' }).end(String(status));
      };
      const planned = plans.get(delivery.event.app_name)?.shift() ?? 200;
      if (planned === 'hold') held.push(() => answer(500));
      else answer(planned);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    deliveries,
    /** The POSTs received about `app`, of one kind of event when given. */
    of: (app: string, event?: AlertEvent['event']) =>
      deliveries.filter((d) => d.event.app_name === app && (event === undefined || d.event.event === event)),
    /** The answers to give the next POSTs about `app`, in order; 200 after them. */
    plan: (app: string, ...answers: Answer[]) => plans.set(app, answers),
    held: () => held.length,
    release: () => held.splice(0).forEach((answer) => answer()),
    async close() {
      held.splice(0).forEach((answer) => answer());
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
export type WebhookReceiver = Awaited<ReturnType<typeof webhookReceiver>>;
