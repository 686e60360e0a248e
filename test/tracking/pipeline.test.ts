import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusUnavailableError } from '../../src/platform/events/events.js';
import { tracking } from '../../src/services/tracking/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import {
  anInteraction,
  campaignCounts,
  client,
  drained,
  expectProblem,
  FAST_RETRIES,
  outcomes,
  UUID,
  waitFor,
  type Client,
} from './fixtures.js';

let app: TestApp;
let http: Client;

beforeAll(async () => {
  app = await startTestApp([tracking], FAST_RETRIES);
  http = client(app.url);
});
afterAll(async () => {
  await http?.close();
  await app?.close();
});

const publish = (events: { id: string; key: string; data: unknown }[]) =>
  app.runtime.events.publish('tracking', events);

describe('the original smoke test', () => {
  it('health, two interactions, then the daily view counts 2 ok', async () => {
    const health = await http.get('/tracking/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({
      status: 'healthy',
      database: { ok: true, detail: expect.stringMatching(/^PostgreSQL/) },
      broker: { ok: true, detail: expect.any(String) },
    });

    for (let i = 0; i < 2; i++) {
      const answer = await http.post('/tracking/interactions', anInteraction('123'));
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      expect(answer.body).toEqual({ status: 'accepted', interaction_id: expect.stringMatching(UUID) });
    }

    const today = new Date().toISOString().slice(0, 10);
    const stats = await waitFor(async () => {
      const answer = await http.get('/tracking/stats/daily');
      return answer.body.items.some((i: { count: number }) => i.count === 2) && answer.body;
    }, 'the daily count to reach 2');
    expect(stats).toEqual({ items: [{ day: today, status: 'ok', count: 2 }] });
  });
});

describe('POST /tracking/interactions', () => {
  it('stores what it accepted: readable by id once a worker has it', async () => {
    const input = anInteraction(undefined, {
      interaction_type: 'like',
      timestamp: '2025-09-14T12:30:00.250+02:00',
    });
    const { body } = await http.post('/tracking/interactions', input);
    const read = await waitFor(async () => {
      const answer = await http.get(`/tracking/interactions/${body.interaction_id}`);
      return answer.status === 200 && answer.body;
    }, 'the interaction to be stored');
    expect(read).toEqual({
      status: 'success',
      data: {
        id: body.interaction_id,
        interaction_type: 'like',
        target_element_id: '123',
        target_element_type: 'button',
        campaign_id: input.campaign_id,
        timestamp: '2025-09-14T10:30:00.250Z',
        received_at: expect.any(String),
        processed_at: expect.any(String),
      },
    });
    expect(await campaignCounts(http, input.campaign_id)).toEqual({ like: 1 });
  });

  it('defaults the timestamp to when it was received', async () => {
    const before = Date.now();
    const { body } = await http.post('/tracking/interactions', anInteraction());
    const read = await waitFor(async () => {
      const answer = await http.get(`/tracking/interactions/${body.interaction_id}`);
      return answer.status === 200 && answer.body.data;
    }, 'the interaction to be stored');
    expect(read.timestamp).toBe(read.received_at);
    expect(Date.parse(read.timestamp)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('answers 404 while an accepted interaction is not stored yet', async () => {
    const id = randomUUID();
    const hold = app.runtime.events.publish;
    // Accepted by the API but never reaching the stream: exactly "not processed yet".
    app.runtime.events.publish = async () => undefined;
    try {
      const answer = await http.post('/tracking/interactions', anInteraction(), { 'idempotency-key': id });
      expect(answer.status).toBe(202);
    } finally {
      app.runtime.events.publish = hold;
    }
    expectProblem(await http.get(`/tracking/interactions/${id}`), 404, /^Interaction not found$/);
  });

  it('answers 503 with Retry-After when the broker cannot take the event', async () => {
    const hold = app.runtime.events.publish;
    app.runtime.events.publish = async () => {
      throw new BusUnavailableError('broker down');
    };
    try {
      const one = await http.post('/tracking/interactions', anInteraction());
      expectProblem(one, 503, /broker did not confirm.*Idempotency-Key/);
      expect(one.headers['retry-after']).toBe('1');
      const batch = await http.post('/tracking/interactions/batch', [anInteraction()]);
      expectProblem(batch, 503, /broker did not confirm.*Idempotency-Key/);
      expect(batch.headers['retry-after']).toBe('1');
    } finally {
      app.runtime.events.publish = hold;
    }
  });
});

describe('health', () => {
  it('answers 503 naming the dependency that is down', async () => {
    const hold = app.runtime.events.health;
    app.runtime.events.health = async () => ({ ok: false, detail: 'nats://nowhere (disconnected)' });
    try {
      const answer = await http.get('/tracking/health');
      expectProblem(answer, 503, /broker: nats:\/\/nowhere \(disconnected\)/);
      expect(answer.headers['retry-after']).toBe('1');
    } finally {
      app.runtime.events.health = hold;
    }
  });
});

describe('Idempotency-Key', () => {
  it('gives a retried request the same id and counts it once', async () => {
    const input = anInteraction();
    const key = `retry-${randomUUID()}`;
    const first = await http.post('/tracking/interactions', input, { 'idempotency-key': key });
    const second = await http.post('/tracking/interactions', input, { 'idempotency-key': key });
    expect(first.status).toBe(202);
    expect(second.body).toEqual(first.body);
    const other = await http.post('/tracking/interactions', input, { 'idempotency-key': `${key}-2` });
    expect(other.body.interaction_id).not.toBe(first.body.interaction_id);
    await drained(app);
    expect(await campaignCounts(http, input.campaign_id)).toEqual({ click: 2 });
  });

  it('uses a UUID key as the interaction id', async () => {
    const key = randomUUID().toUpperCase();
    const answer = await http.post('/tracking/interactions', anInteraction(), { 'idempotency-key': key });
    expect(answer.body.interaction_id).toBe(key.toLowerCase());
  });

  it('gives a retried batch the same ids, one per item, and counts it once', async () => {
    const campaign = `c-${randomUUID()}`;
    const items = [anInteraction(campaign), anInteraction(campaign, { interaction_type: 'view' })];
    const key = randomUUID();
    const first = await http.post('/tracking/interactions/batch', items, { 'idempotency-key': key });
    const second = await http.post('/tracking/interactions/batch', items, { 'idempotency-key': key });
    expect(first.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(new Set(first.body.interaction_ids).size).toBe(2);
    await drained(app);
    expect(await campaignCounts(http, campaign)).toEqual({ click: 1, view: 1 });
  });
});

describe('POST /tracking/interactions/batch', () => {
  it('accepts an array and {interactions: [...]}, answering the id of each item in order', async () => {
    const campaign = `c-${randomUUID()}`;
    const items = ['click', 'view', 'like', 'click'].map((t) =>
      anInteraction(campaign, { interaction_type: t }),
    );
    const asArray = await http.post('/tracking/interactions/batch', items);
    expect(asArray.status, JSON.stringify(asArray.body)).toBe(202);
    expect(asArray.body).toEqual({ accepted: 4, interaction_ids: expect.any(Array) });
    expect(asArray.body.interaction_ids).toHaveLength(4);
    const wrapped = await http.post('/tracking/interactions/batch', { interactions: items.slice(0, 1) });
    expect(wrapped.status).toBe(202);
    expect(wrapped.body.accepted).toBe(1);
    await drained(app);
    expect(await campaignCounts(http, campaign)).toEqual({ click: 3, view: 1, like: 1 });
    const last = asArray.body.interaction_ids[3];
    expect((await http.get(`/tracking/interactions/${last}`)).body.data.interaction_type).toBe('click');
  });

  it('takes 1000 interactions at once', async () => {
    const campaign = `c-${randomUUID()}`;
    const items = Array.from({ length: 1000 }, () => anInteraction(campaign));
    const answer = await http.post('/tracking/interactions/batch', items);
    expect(answer.status).toBe(202);
    expect(new Set(answer.body.interaction_ids).size).toBe(1000);
    await drained(app);
    expect(await campaignCounts(http, campaign)).toEqual({ click: 1000 });
  });

  it('refuses a batch with bad items, naming each by index, and stores none of it', async () => {
    const campaign = `c-${randomUUID()}`;
    const items = [
      anInteraction(campaign),
      anInteraction(campaign, { interaction_type: 'poke' }),
      anInteraction(campaign),
      anInteraction('  '),
    ];
    const answer = await http.post('/tracking/interactions/batch', items);
    expectProblem(
      answer,
      400,
      /2 of 4 interactions are invalid.*\[1\] Invalid interaction type: poke.*\[3\] Campaign ID cannot be empty/,
    );
    expect(answer.body.errors).toEqual([
      { index: 1, detail: expect.stringMatching(/^Invalid interaction type: poke/) },
      { index: 3, detail: 'Campaign ID cannot be empty' },
    ]);
    await drained(app);
    expect(await campaignCounts(http, campaign)).toEqual({});
  });
});

describe('the worker', () => {
  it('dead-letters a poison message after its tries, counted as error, and stores its neighbours', async () => {
    const before = await outcomes(http);
    const campaign = `c-${randomUUID()}`;
    const good = () => ({
      id: randomUUID(),
      key: campaign,
      data: { ...anInteraction(campaign), timestamp: new Date().toISOString() },
    });
    const poison = {
      id: randomUUID(),
      key: campaign,
      data: { interaction_type: 'click', campaign_id: campaign },
    };
    await publish([good(), poison, good()]);
    await publish([good()]);

    const dead = await waitFor(async () => {
      const letters = await app.runtime.events.deadLetters('tracking', 'tracking');
      return letters.find((l) => l.id === poison.id);
    }, 'the poison message to be dead-lettered');
    expect(dead.attempts).toBe(5);
    expect(dead.error).toMatch(/Target element ID cannot be empty/);
    await drained(app);
    expect(await campaignCounts(http, campaign)).toEqual({ click: 3 });
    expect(await outcomes(http)).toEqual({ ok: before.ok + 3, error: before.error + 1 });
  });

  it('dead-letters data that is not even an object', async () => {
    const before = await outcomes(http);
    const id = randomUUID();
    await publish([{ id, key: 'k', data: 'not an interaction' }]);
    await waitFor(
      async () => (await app.runtime.events.deadLetters('tracking', 'tracking')).some((l) => l.id === id),
      'the message to be dead-lettered',
    );
    await drained(app);
    expect(await outcomes(http)).toEqual({ ok: before.ok, error: before.error + 1 });
  });

  it('counts an event published twice once, in one batch or in two', async () => {
    const before = await outcomes(http);
    const campaign = `c-${randomUUID()}`;
    const event = {
      id: randomUUID(),
      key: campaign,
      data: { ...anInteraction(campaign), timestamp: new Date().toISOString() },
    };
    await publish([event, event]);
    await drained(app);
    await publish([event]);
    await drained(app);
    expect(await campaignCounts(http, campaign)).toEqual({ click: 1 });
    expect(await outcomes(http)).toEqual({ ok: before.ok + 1, error: before.error });
  });

  it('stores a message as earlier versions published it, with the id in the data too', async () => {
    const campaign = `c-${randomUUID()}`;
    const id = randomUUID();
    const at = new Date().toISOString();
    await publish([
      {
        id,
        key: campaign,
        data: { ...anInteraction(campaign), interaction_id: id, timestamp: at, received_at: at },
      },
    ]);
    await drained(app);
    expect(await campaignCounts(http, campaign)).toEqual({ click: 1 });
    expect((await http.get(`/tracking/interactions/${id}`)).body.data).toMatchObject({
      id,
      campaign_id: campaign,
    });
  });

  it('counts a message by the day it was received and the interaction by the day it happened', async () => {
    const campaign = `c-${randomUUID()}`;
    const data = {
      ...anInteraction(campaign),
      timestamp: '2024-02-29T23:30:00-01:00',
      received_at: '2024-03-02T08:00:00Z',
    };
    await publish([{ id: randomUUID(), key: campaign, data }]);
    await drained(app);
    const grouped = await http.get(`/tracking/stats/daily?group_by=interaction_type&campaign_id=${campaign}`);
    expect(grouped.body.items).toEqual([
      { day: '2024-03-01', campaign_id: campaign, interaction_type: 'click', count: 1 },
    ]);
    const ungrouped = await http.get('/tracking/stats/daily?from=2024-03-02&to=2024-03-02');
    expect(ungrouped.body.items).toEqual([{ day: '2024-03-02', status: 'ok', count: 1 }]);
  });
});
