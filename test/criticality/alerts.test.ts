import { pino } from 'pino';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testPool } from '../helpers.js';
import { secapp, secondInstance, waitFor, type Secapp } from './fixtures.js';
import { webhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

const STALE_AFTER_MS = 1000;
const CHECK_INTERVAL_MS = 200;
/** Long enough for a second check on each instance and a webhook poll: what a duplicate would need. */
const SETTLE_MS = 3 * CHECK_INTERVAL_MS + 600;

interface Line {
  msg: string;
  level: number;
}

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let receiver: WebhookReceiver;
let instances: Awaited<ReturnType<typeof secondInstance>>[] = [];
let a: Secapp;
let b: Secapp;
let pool: pg.Pool;
const lines: Line[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  receiver = await webhookReceiver();
  const env = {
    CRITICALITY_STALE_AFTER: `${STALE_AFTER_MS}ms`,
    CRITICALITY_CHECK_INTERVAL: `${CHECK_INTERVAL_MS}ms`,
    CRITICALITY_ALERT_WEBHOOK: receiver.url,
  };
  // Both log into one list, as a log shipper gathers every instance's lines.
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
  // One after the other: the first migrates the database, the second finds it migrated.
  for (const name of ['a', 'b'])
    instances.push(
      await secondInstance(database.url, env, { workers: true, log: log.child({ instance: name }) }),
    );
  a = secapp(instances[0]!.url);
  b = secapp(instances[1]!.url);
  pool = testPool(database.url, 2);
});
afterAll(async () => {
  receiver?.release();
  await a?.close();
  await b?.close();
  for (const instance of instances) await instance.close();
  instances = [];
  await pool?.end();
  await receiver?.close();
  await database?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const staleLines = (app: string) =>
  lines.filter((l) => l.msg.startsWith(`stale consumer: ${app} has not polled since`));
const recoveredLines = (app: string) =>
  lines.filter((l) => l.msg === `consumer ${app} polls again: stale alert cleared`);

async function alertRows(app: string) {
  const { rows } = await pool.query<{ id: number; cleared: boolean }>(
    'SELECT id::int, cleared_at IS NOT NULL AS cleared FROM criticality.stale_alerts WHERE app_name = $1 ORDER BY id',
    [app],
  );
  return rows;
}

/** The two alert figures as one instance's /metrics shows them. */
async function metrics(api: Secapp) {
  const answer = await api.http.get('/metrics');
  expect(answer.status).toBe(200);
  const text = answer.body as string;
  const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
  return { stale: value('criticality_stale_consumers'), alerts: value('criticality_stale_alerts_total') };
}

describe('the stale-consumer alert, with two instances checking', () => {
  it('fires once per silence: one row, one log line, one webhook POST; clears once when the app polls again', async () => {
    await a.poll('quiet');
    await waitFor(
      async () => receiver.of('quiet', 'consumer.stale').length > 0,
      'the first stale alert',
      10_000,
    );
    await sleep(SETTLE_MS);

    expect(await alertRows('quiet')).toEqual([{ id: expect.any(Number), cleared: false }]);
    expect(staleLines('quiet')).toHaveLength(1);
    expect(staleLines('quiet')[0]!.level).toBe(40);
    const [raised] = receiver.of('quiet', 'consumer.stale');
    expect(receiver.of('quiet')).toHaveLength(1);
    expect(raised!.event).toEqual({
      event: 'consumer.stale',
      app_name: 'quiet',
      alert_id: (await alertRows('quiet'))[0]!.id,
      last_poll_at: expect.any(String),
      raised_at: expect.any(String),
      stale_after_seconds: STALE_AFTER_MS / 1000,
    });
    // Each instance reports the deployment's figures, whichever raised the alert.
    expect(await metrics(a)).toEqual({ stale: 1, alerts: 1 });
    expect(await metrics(b)).toEqual({ stale: 1, alerts: 1 });
    const listed = (await b.admin('GET', '/secapp/consumers')).body.items[0];
    expect(listed).toMatchObject({
      app_name: 'quiet',
      stale: true,
      alert_raised_at: raised!.event.raised_at,
    });

    // It polls again, on the other instance: no longer stale at once, the alert cleared once.
    await b.poll('quiet');
    expect(await metrics(a)).toEqual({ stale: 0, alerts: 1 });
    await waitFor(async () => receiver.of('quiet', 'consumer.recovered').length > 0, 'the recovery', 10_000);
    const [recovered] = receiver.of('quiet', 'consumer.recovered');
    expect(recovered!.event).toMatchObject({
      alert_id: raised!.event.alert_id,
      cleared_at: expect.any(String),
    });
    const ev = recovered!.event as { polled_at: string; last_poll_at: string; cleared_at: string };
    expect(Date.parse(ev.polled_at)).toBeGreaterThan(Date.parse(ev.last_poll_at));
    expect(Date.parse(ev.polled_at)).toBeLessThanOrEqual(Date.parse(ev.cleared_at));
    expect(recoveredLines('quiet')).toHaveLength(1);

    // Silent again: a second silence, a second alert.
    await waitFor(
      async () => receiver.of('quiet', 'consumer.stale').length > 1,
      'the second stale alert',
      10_000,
    );
    await sleep(SETTLE_MS);
    const rows = await alertRows('quiet');
    expect(rows.map((r) => r.cleared)).toEqual([true, false]);
    expect(receiver.of('quiet', 'consumer.stale').map((d) => d.event.alert_id)).toEqual(
      rows.map((r) => r.id),
    );
    expect(receiver.of('quiet', 'consumer.recovered')).toHaveLength(1);
    expect(staleLines('quiet')).toHaveLength(2);
    expect(recoveredLines('quiet')).toHaveLength(1);
    expect(await metrics(b)).toEqual({ stale: 1, alerts: 2 });
  });

  it('retries a failing webhook until it is delivered, and polls are not held up by it', async () => {
    // The first POST hangs (then fails), the second fails, the third goes through.
    receiver.plan('flaky', 'hold', 500, 200);
    await a.poll('flaky');
    await waitFor(async () => receiver.held() === 1, 'the webhook POST to hang', 10_000);

    // While the receiver holds the POST open, both instances answer polls and posts.
    const polled = await a.poll('bystander');
    const posted = await b.state('producer', 2, '2017-07-21T17:32:28Z');
    expect(polled.status).toBe(200);
    expect(posted.status).toBe(200);
    expect((await b.poll('bystander')).body).toMatchObject({ status_change_id: posted.body.processed_id });
    expect(receiver.held()).toBe(1);
    receiver.release();

    const delivered = await waitFor(
      async () => receiver.of('flaky').find((d) => d.status === 200),
      'the webhook to be delivered after two failures',
      20_000,
    );
    const tries = receiver.of('flaky');
    expect(tries.map((d) => d.status)).toEqual([500, 500, 200]);
    // One alert, sent again and again: the same event every time.
    for (const t of tries) expect(t.event).toEqual(delivered.event);
    expect(await alertRows('flaky')).toHaveLength(1);
    expect(staleLines('flaky')).toHaveLength(1);
  });
});
