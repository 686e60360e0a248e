import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tracking } from '../../src/services/tracking/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import {
  anInteraction,
  client,
  drained,
  expectProblem,
  JSON_TYPE,
  MISSING,
  type Client,
} from './fixtures.js';

let app: TestApp;
let http: Client;
const campaign = `c-${randomUUID()}`;
const other = `c-${randomUUID()}`;
/** Ids of the fixture interactions of `campaign`, newest first. */
let newestFirst: string[];

/** 7 interactions of `campaign`, one minute apart, two of them at the same instant; 3 of `other`. */
beforeAll(async () => {
  app = await startTestApp([tracking]);
  http = client(app.url);
  const minutes = [0, 1, 2, 3, 3, 4, 5];
  const times = minutes.map((m) => new Date(Date.UTC(2025, 8, 14, 10, m)).toISOString());
  const items = times.map((timestamp, i) =>
    anInteraction(campaign, { interaction_type: ['click', 'view', 'like'][i % 3], timestamp }),
  );
  const others = [0, 1, 2].map((d) =>
    anInteraction(other, { timestamp: new Date(Date.UTC(2025, 8, 13 + d, 23, 59)).toISOString() }),
  );
  const answer = await http.post('/tracking/interactions/batch', [...items, ...others]);
  expect(answer.status).toBe(202);
  await drained(app);
  const ids: string[] = answer.body.interaction_ids.slice(0, 7);
  newestFirst = ids
    .map((id, i) => ({ id, at: times[i]! }))
    .sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1))
    .map((r) => r.id);
});
afterAll(async () => {
  await http?.close();
  await app?.close();
});

const list = (query: string) => http.get(`/tracking/interactions?${query}`);

describe('GET /tracking/interactions', () => {
  it('lists a campaign newest first, in the documented shape', async () => {
    const answer = await list(`campaign_id=${campaign}`);
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('success');
    expect(answer.body.next_cursor).toBeNull();
    expect(answer.body.data.map((i: { id: string }) => i.id)).toEqual(newestFirst);
    expect(answer.body.data[0]).toEqual({
      id: newestFirst[0],
      interaction_type: 'click',
      target_element_id: '123',
      target_element_type: 'button',
      campaign_id: campaign,
      timestamp: '2025-09-14T10:05:00.000Z',
      received_at: expect.any(String),
      processed_at: expect.any(String),
    });
  });

  it('pages with next_cursor, ties on the timestamp included, without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const answer = await list(`campaign_id=${campaign}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(answer.status).toBe(200);
      expect(answer.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...answer.body.data.map((i: { id: string }) => i.id));
      cursor = answer.body.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect(seen).toEqual(newestFirst);
  });

  it('filters by time: from included, to excluded', async () => {
    const answer = await list(
      `campaign_id=${campaign}&from=2025-09-14T10:01:00Z&to=${encodeURIComponent('2025-09-14T12:04:00+02:00')}`,
    );
    expect(answer.body.data.map((i: { timestamp: string }) => i.timestamp)).toEqual([
      '2025-09-14T10:03:00.000Z',
      '2025-09-14T10:03:00.000Z',
      '2025-09-14T10:02:00.000Z',
      '2025-09-14T10:01:00.000Z',
    ]);
  });

  it('lists every campaign without campaign_id, up to limit', async () => {
    const answer = await list('limit=1000');
    expect(answer.body.data).toHaveLength(10);
    expect((await list('')).body.data).toHaveLength(10);
    expect((await list(`campaign_id=nobody-${randomUUID()}`)).body.data).toEqual([]);
  });
});

describe('GET /tracking/interactions/{id}', () => {
  it('reads one interaction', async () => {
    const answer = await http.get(`/tracking/interactions/${newestFirst[3]}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'success',
      data: { id: newestFirst[3], campaign_id: campaign },
    });
  });
});

describe('GET /tracking/stats/daily', () => {
  it('groups interactions by day, campaign and type', async () => {
    const answer = await http.get(`/tracking/stats/daily?group_by=interaction_type&campaign_id=${campaign}`);
    expect(answer.status).toBe(200);
    expect(answer.body.items).toEqual([
      { day: '2025-09-14', campaign_id: campaign, interaction_type: 'click', count: 3 },
      { day: '2025-09-14', campaign_id: campaign, interaction_type: 'like', count: 2 },
      { day: '2025-09-14', campaign_id: campaign, interaction_type: 'view', count: 2 },
    ]);
  });

  it('keeps to the days from and to, both included', async () => {
    const answer = await http.get(
      `/tracking/stats/daily?group_by=interaction_type&campaign_id=${other}&from=2025-09-14&to=2025-09-15`,
    );
    expect(answer.body.items.map((i: { day: string }) => i.day)).toEqual(['2025-09-14', '2025-09-15']);
    const all = await http.get(
      `/tracking/stats/daily?group_by=interaction_type&from=2025-09-13&to=2025-09-13`,
    );
    expect(all.body.items).toEqual([
      { day: '2025-09-13', campaign_id: other, interaction_type: 'click', count: 1 },
    ]);
  });

  it('counts the messages of the day they were received, as ok', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const answer = await http.get(`/tracking/stats/daily?from=${today}&to=${today}`);
    expect(answer.body.items).toEqual([{ day: today, status: 'ok', count: 10 }]);
    expect((await http.get('/tracking/stats/daily?to=2000-01-01')).body.items).toEqual([]);
  });
});

/** Every bad input of every interaction route: a 4xx problem whose detail says what is wrong. */
describe('bad input', () => {
  const post = (body: unknown, headers?: Record<string, string>) =>
    http.post('/tracking/interactions', body, headers);
  const batch = (body: unknown) => http.post('/tracking/interactions/batch', body);
  const ok = anInteraction('bad-input');

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'an unknown type',
      { interaction_type: 'x' },
      /^Invalid interaction type: x \(allowed: click, view, like\)$/,
    ],
    ['a type in capitals', { interaction_type: 'CLICK' }, /^Invalid interaction type: CLICK/],
    ['a number for the type', { interaction_type: 1 }, /^Invalid interaction type: 1/],
    ['an empty type', { interaction_type: '' }, /^Interaction type cannot be empty$/],
    ['no type', { interaction_type: undefined }, /^Interaction type cannot be empty$/],
    ['a blank campaign', { campaign_id: '   ' }, /^Campaign ID cannot be empty$/],
    ['no campaign', { campaign_id: undefined }, /^Campaign ID cannot be empty$/],
    ['a null campaign', { campaign_id: null }, /^Campaign ID cannot be empty$/],
    ['a numeric campaign', { campaign_id: 123 }, /^campaign_id must be a string, got 123$/],
    ['a blank element id', { target_element_id: '\t' }, /^Target element ID cannot be empty$/],
    ['no element type', { target_element_type: undefined }, /^Target element type cannot be empty$/],
    ['an object for the element id', { target_element_id: { a: 1 } }, /^target_element_id must be a string/],
    [
      'an element id of 256 characters',
      { target_element_id: 'x'.repeat(256) },
      /target_element_id is longer than 255/,
    ],
    [
      'an element type of 65 characters',
      { target_element_type: 'x'.repeat(65) },
      /target_element_type is longer than 64/,
    ],
    ['an unknown field', { user: 'me' }, /^Unknown field: user/],
    [
      'a timestamp that is no date',
      { timestamp: 'yesterday' },
      /^Invalid timestamp: yesterday \(expected ISO-8601/,
    ],
    ['a timestamp without a time zone', { timestamp: '2025-09-14T10:00:00' }, /^Invalid timestamp/],
    ['a date alone', { timestamp: '2025-09-14' }, /^Invalid timestamp/],
    ['February 30th', { timestamp: '2025-02-30T10:00:00Z' }, /^Invalid timestamp/],
    ['hour 24', { timestamp: '2025-09-14T24:00:00Z' }, /^Invalid timestamp/],
    ['year 0', { timestamp: '0000-01-01T00:00:00Z' }, /^Invalid timestamp/],
    ['year 10000 after the offset', { timestamp: '9999-12-31T23:59:59-05:00' }, /^Invalid timestamp/],
    ['a number for the timestamp', { timestamp: 1757844000 }, /^Invalid timestamp: 1757844000/],
  ])('POST answers 400 for %s, and so does a batch, naming the item', async (_what, change, detail) => {
    const body = { ...ok, ...change };
    expectProblem(await post(body), 400, detail);
    const answer = await batch([ok, body]);
    expectProblem(answer, 400, /^1 of 2 interactions are invalid, nothing was stored: \[1\] /);
    expect(answer.body.errors).toEqual([{ index: 1, detail: expect.stringMatching(detail) }]);
  });

  it('accepts the edge cases the rules allow', async () => {
    for (const timestamp of [
      '2024-02-29T00:00:00Z',
      '2025-09-14T10:00+05:30',
      '2025-09-14t10:00:00.123456789z',
      null,
    ]) {
      expect((await post({ ...ok, timestamp })).status, String(timestamp)).toBe(202);
    }
    expect((await post({ ...ok, campaign_id: ' padded ', target_element_id: 'x'.repeat(255) })).status).toBe(
      202,
    );
  });

  const envelopes: [string, number, string, Record<string, string>, RegExp][] = [
    ['malformed JSON', 400, '{"interaction_type": ', JSON_TYPE, /JSON/i],
    ['an empty body', 400, '', JSON_TYPE, /empty/i],
    ['JSON null', 400, 'null', JSON_TYPE, /must be a JSON object|must be a JSON array/],
    ['a JSON string', 400, '"click"', JSON_TYPE, /must be a JSON object|must be a JSON array/],
    [
      'a text/plain body',
      415,
      'interaction_type=click',
      { 'content-type': 'text/plain' },
      /^Send the body as application\/json, not text\/plain$/,
    ],
  ];
  it.each(envelopes)('POST with %s answers %i', async (_what, status, body, headers, detail) => {
    expectProblem(await http.call('POST', '/tracking/interactions', body, headers), status, detail);
    expectProblem(await http.call('POST', '/tracking/interactions/batch', body, headers), status, detail);
  });

  it('POST answers 400 for a JSON array, and 413 for a body over 1 MiB', async () => {
    expectProblem(await post([ok]), 400, /must be a JSON object/);
    expectProblem(
      await http.call(
        'POST',
        '/tracking/interactions',
        JSON.stringify({ ...ok, pad: 'x'.repeat(1_100_000) }),
        JSON_TYPE,
      ),
      413,
    );
  });

  it.each<[string, unknown, RegExp]>([
    ['an empty array', [], /^The batch is empty: send 1 to 1000 interactions$/],
    [
      '1001 items',
      Array.from({ length: 1001 }, () => ok),
      /^A batch holds at most 1000 interactions, got 1001$/,
    ],
    [
      'an object without interactions',
      { items: [ok] },
      /must be a JSON array of interactions or \{"interactions": \[\.\.\.\]\}/,
    ],
    ['interactions beside another field', { interactions: [ok], extra: 1 }, /must be a JSON array/],
    ['an item that is not an object', [ok, 'click'], /\[1\] An interaction must be a JSON object/],
  ])('the batch answers 400 for %s', async (_what, body, detail) => {
    expectProblem(await batch(body), 400, detail);
  });

  it('a batch names every bad item in errors, and the first five in the detail', async () => {
    const items = Array.from({ length: 8 }, (_, i) => ({ ...ok, interaction_type: `t${i}` }));
    const answer = await batch(items);
    expectProblem(
      answer,
      400,
      /^8 of 8 interactions are invalid.*\[4\] Invalid interaction type: t4 \(allowed: click, view, like\); and 3 more \(see errors\)$/,
    );
    expect(answer.body.errors.map((e: { index: number }) => e.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it.each([
    ['an empty Idempotency-Key', { 'idempotency-key': '' }, /idempotency-key/],
    ['an Idempotency-Key of 256 characters', { 'idempotency-key': 'k'.repeat(256) }, /idempotency-key/],
  ])('POST answers 400 for %s', async (_what, headers, detail) => {
    expectProblem(await post(ok, headers), 400, detail);
    expectProblem(await http.post('/tracking/interactions/batch', [ok], headers), 400, detail);
  });

  it.each([
    ['limit=0', /limit/],
    ['limit=1001', /limit/],
    ['limit=ten', /limit/],
    ['from=yesterday', /^from must be an ISO-8601 date-time with a time zone/],
    ['to=2025-09-14', /^to must be an ISO-8601 date-time/],
    ['from=2025-09-14T10:00:00Z&to=2025-09-14T09:00:00Z', /^from must not be after to$/],
    ['cursor=nope', /^Invalid cursor/],
    [`cursor=${Buffer.from('["2025-09-14T10:00:00Z","x"]').toString('base64url')}`, /^Invalid cursor/],
    [`cursor=${Buffer.from('{"a":1}').toString('base64url')}`, /^Invalid cursor/],
    [`cursor=${'x'.repeat(600)}`, /cursor/],
    ['campaign_id=', /campaign_id/],
    ['campaign=123', /campaign is not an allowed field/],
  ])('GET /tracking/interactions?%s answers 400', async (query, detail) => {
    expectProblem(await list(query), 400, detail);
  });

  it.each(['abc', '123', '00000000-0000-0000-0000-00000000000g', encodeURIComponent("'; DROP TABLE x; --")])(
    'GET /tracking/interactions/%s answers 400 "Invalid interaction ID"',
    async (id) => {
      expectProblem(await http.get(`/tracking/interactions/${id}`), 400, /^Invalid interaction ID$/);
    },
  );

  it('GET /tracking/interactions/{id} answers 404 "Interaction not found" for an unknown id', async () => {
    expectProblem(await http.get(`/tracking/interactions/${MISSING}`), 404, /^Interaction not found$/);
  });

  it.each([
    ['from=2025-13-01', /^from must be a date like 2025-09-14/],
    ['to=2025-02-29', /^to must be a date/],
    ['from=0000-01-01', /^from must be a date/],
    ['from=2025-09-14T00:00:00Z', /^from must be a date/],
    ['from=2025-09-15&to=2025-09-14', /^from \(2025-09-15\) is after to \(2025-09-14\)$/],
    ['group_by=campaign', /group_by/],
    ['campaign_id=123', /^campaign_id needs group_by=interaction_type/],
    ['day=2025-09-14', /day is not an allowed field/],
  ])('GET /tracking/stats/daily?%s answers 400', async (query, detail) => {
    expectProblem(await http.get(`/tracking/stats/daily?${query}`), 400, detail);
  });
});
