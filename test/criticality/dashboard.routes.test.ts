import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { criticality } from '../../src/services/criticality/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { expectProblem, secapp, waitFor, type Secapp } from './fixtures.js';

const STALE_AFTER_MS = 1000;

let app: TestApp;
let api: Secapp;

beforeAll(async () => {
  // No workers: the stale flag is computed at each read, whether or not an alert was raised.
  app = await startTestApp(
    [criticality],
    { CRITICALITY_STALE_AFTER: `${STALE_AFTER_MS}ms` },
    { workers: false },
  );
  api = secapp(app.url);
});
afterAll(async () => {
  await api?.close();
  await app?.close();
});

interface Consumer {
  app_name: string;
  first_poll_at: string;
  last_poll_at: string;
  silent_seconds: number;
  stale: boolean;
  alert_raised_at: string | null;
  has_latest: boolean;
  last_delivered: {
    status_change_id: number;
    current_status: number;
    Change_at: string;
    delivered_at: string;
  } | null;
}

interface Item {
  processed_id: number;
  app_name: string;
  current_status: number;
  Change_at: string;
  received_at: string;
}

async function consumers(query = 'limit=1000'): Promise<Consumer[]> {
  const answer = await api.admin('GET', `/secapp/consumers?${query}`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.items as Consumer[];
}
const consumer = async (name: string) => (await consumers()).find((c) => c.app_name === name);

/** Every page of a listing from `from` (the first page when null), following next_cursor to the end. */
async function walk<T>(path: string, from: string | null = null): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor = from;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const answer = await api.admin('GET', cursor === null ? path : `${path}${sep}cursor=${cursor}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    items.push(...(answer.body.items as T[]));
    cursor = answer.body.next_cursor as string | null;
    pages++;
    expect(pages).toBeLessThan(100);
  } while (cursor !== null);
  return { items, pages };
}

describe('GET /secapp/consumers', () => {
  it('lists each app that polled, with its last poll and the last state it was given', async () => {
    await api.poll('c-early');
    const posted = await api.state('c-producer', 3, '2080-01-01T00:00:00Z');
    const beforePoll = Date.now();
    await api.poll('c-reader');
    const answer = await api.admin('GET', '/secapp/consumers');
    expect(answer.body.stale_after_seconds).toBe(STALE_AFTER_MS / 1000);

    const reader = (answer.body.items as Consumer[]).find((c) => c.app_name === 'c-reader');
    expect(reader).toEqual({
      app_name: 'c-reader',
      first_poll_at: expect.any(String),
      last_poll_at: expect.any(String),
      silent_seconds: expect.any(Number),
      stale: false,
      alert_raised_at: null,
      has_latest: true,
      last_delivered: {
        status_change_id: posted.body.processed_id,
        current_status: 3,
        Change_at: '2080-01-01T00:00:00Z',
        delivered_at: expect.any(String),
      },
    });
    // The server's clock and this one's may differ a little, never by the window.
    expect(Math.abs(Date.parse(reader!.last_poll_at) - beforePoll)).toBeLessThan(STALE_AFTER_MS);

    // Polled before the state: it has not been given it, and was given nothing.
    expect(await consumer('c-early')).toMatchObject({ has_latest: false, last_delivered: null });
    // A producer that never polled is no consumer.
    expect(await consumer('c-producer')).toBeUndefined();
  });

  it('keeps the first poll and moves the last one', async () => {
    await api.poll('c-twice');
    const first = (await consumer('c-twice'))!;
    // Past the tenth of the window within which a poll that delivers nothing is not written again.
    await new Promise((r) => setTimeout(r, STALE_AFTER_MS / 10 + 50));
    await api.poll('c-twice');
    const second = (await consumer('c-twice'))!;
    expect(second.first_poll_at).toBe(first.first_poll_at);
    expect(Date.parse(second.last_poll_at)).toBeGreaterThan(Date.parse(first.last_poll_at));
  });

  it('flags an app silent past CRITICALITY_STALE_AFTER as stale, until it polls again', async () => {
    await api.poll('c-silent');
    expect((await consumer('c-silent'))!.stale).toBe(false);
    const stale = await waitFor(
      async () => {
        const c = (await consumer('c-silent'))!;
        return c.stale && c;
      },
      'c-silent to turn stale',
      5_000,
    );
    expect(stale.silent_seconds).toBeGreaterThanOrEqual(STALE_AFTER_MS / 1000);
    // No worker here raised an alert.
    expect(stale.alert_raised_at).toBeNull();
    await api.poll('c-silent');
    expect((await consumer('c-silent'))!.stale).toBe(false);
  });

  it('pages in app-name order, every consumer once', async () => {
    for (let i = 0; i < 12; i++) await api.poll(`c-page-${String(i).padStart(2, '0')}`);
    const all = (await consumers()).map((c) => c.app_name);
    expect(all).toEqual([...all].sort());
    const { items, pages } = await walk<Consumer>('/secapp/consumers?limit=5');
    expect(items.map((c) => c.app_name)).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 5));
  });

  it.each([
    ['a cursor that is not one', 'cursor=garbage', /query(string)?\.cursor/],
    ['a history cursor', `cursor=${cursorOf(['2017-07-21T17:32:28Z', 1])}`, /query(string)?\.cursor/],
    ['limit 0', 'limit=0', /query(string)?\.limit/],
    ['limit 1001', 'limit=1001', /query(string)?\.limit/],
    ['an unknown parameter', 'app=x', /query(string)?\.app/],
  ])('refuses %s with 400', async (_label, query, detail) => {
    expectProblem(await api.admin('GET', `/secapp/consumers?${query}`), 400, detail);
  });
});

describe('GET /secapp/history', () => {
  // Two states share an instant, one app posts an older state after a newer one.
  const posts: [string, number, string][] = [
    ['h-a', 1, '2090-01-01T00:00:00Z'],
    ['h-b', 2, '2090-01-02T00:00:00Z'],
    ['h-a', 3, '2090-01-03T00:00:00.25Z'],
    ['h-c', 4, '2090-01-02T00:00:00Z'],
    ['h-a', 5, '2089-12-31T23:59:59Z'],
    ['h-b', 6, '2090-01-04T00:00:00+01:00'],
    ...Array.from({ length: 14 }, (_, i): [string, number, string] => [
      i % 2 ? 'h-b' : 'h-c',
      10 + i,
      `2090-02-${String(1 + (i % 5)).padStart(2, '0')}T12:00:00Z`,
    ]),
  ];
  let sent: Item[] = [];

  beforeAll(async () => {
    const postedIds = new Set<number>();
    for (const [name, status, at] of posts)
      postedIds.add((await api.state(name, status, at)).body.processed_id);
    const whole = await api.admin('GET', '/secapp/history?limit=1000');
    sent = (whole.body.items as Item[]).filter((i) => postedIds.has(i.processed_id));
    expect(sent).toHaveLength(posts.length);
  });

  /** What the history should hold: newest Change_at first, the later POST first on a tie. */
  const expected = (keep: (i: Item) => boolean) =>
    sent
      .filter(keep)
      .sort((x, y) => Date.parse(y.Change_at) - Date.parse(x.Change_at) || y.processed_id - x.processed_id)
      .map((i) => i.processed_id);
  const ids = (items: Item[]) => items.map((i) => i.processed_id);
  const ours = (i: Item) => i.app_name.startsWith('h-');

  it('gives each state as GET /secapp/update does, with its processed_id and app', async () => {
    const { items } = await walk<Item>('/secapp/history?app=h-b&limit=1000');
    expect(items.find((i) => i.current_status === 6)).toEqual({
      processed_id: expect.any(Number),
      app_name: 'h-b',
      current_status: 6,
      Change_at: '2090-01-03T23:00:00Z',
      received_at: expect.any(String),
    });
  });

  it('pages cover every state once, in order, whatever the page size', async () => {
    const whole = (await api.admin('GET', '/secapp/history?limit=1000')).body;
    expect(whole.next_cursor).toBeNull();
    expect(ids(whole.items).filter((id) => sent.some((s) => s.processed_id === id))).toEqual(expected(ours));
    for (const limit of [1, 3, 7, 20]) {
      const { items, pages } = await walk<Item>(`/secapp/history?limit=${limit}`);
      expect(ids(items)).toEqual(ids(whole.items));
      expect(pages).toBe(Math.max(1, Math.ceil(whole.items.length / limit)));
    }
  });

  it('a page after a cursor is not moved by states posted since', async () => {
    const first = (await api.admin('GET', '/secapp/history?app=h-c&limit=3')).body;
    const rest = await walk<Item>('/secapp/history?app=h-c&limit=3', first.next_cursor);
    await api.state('h-c', 99, '2099-01-01T00:00:00Z');
    const again = await walk<Item>('/secapp/history?app=h-c&limit=3', first.next_cursor);
    expect(ids(again.items)).toEqual(ids(rest.items));
    expect(ids([...first.items, ...rest.items])).toEqual(expected((i) => i.app_name === 'h-c'));
  });

  it('filters by app, from (inclusive) and to (exclusive), alone or together', async () => {
    const at = (i: Item) => Date.parse(i.Change_at);
    const t = Date.parse;
    const cases: [string, (i: Item) => boolean][] = [
      ['app=h-a', (i) => i.app_name === 'h-a'],
      ['from=2090-01-02T00:00:00Z', (i) => at(i) >= t('2090-01-02T00:00:00Z')],
      ['to=2090-01-02T00:00:00Z', (i) => at(i) < t('2090-01-02T00:00:00Z')],
      // Offsets count: 01:00+01:00 is midnight UTC; a date-time without an offset is UTC.
      [
        'from=2090-01-02T01:00:00%2B01:00&to=2090-01-04T00:00',
        (i) => at(i) >= t('2090-01-02T00:00:00Z') && at(i) < t('2090-01-04T00:00:00Z'),
      ],
      [
        'app=h-b&from=2090-02-02T12:00:00Z&to=2090-02-05T12:00:00Z',
        (i) =>
          i.app_name === 'h-b' && at(i) >= t('2090-02-02T12:00:00Z') && at(i) < t('2090-02-05T12:00:00Z'),
      ],
    ];
    for (const [query, keep] of cases) {
      const { items } = await walk<Item>(`/secapp/history?${query}&limit=4`);
      // States the other tests posted are left out: only ours are compared.
      expect(ids(items.filter((i) => sent.some((s) => s.processed_id === i.processed_id))), query).toEqual(
        expected((i) => ours(i) && keep(i)),
      );
      expect(items.length, query).toBeGreaterThan(0);
    }
    expect((await api.admin('GET', '/secapp/history?app=nobody')).body).toEqual({
      items: [],
      next_cursor: null,
    });
  });

  it.each([
    ['a cursor that is not base64 JSON', 'cursor=%%%', /cursor/],
    ['a cursor that is not one', 'cursor=garbage', /query\.cursor is not a cursor this API gave out/],
    ['a consumers cursor', `cursor=${cursorOf(['c-reader'])}`, /query(string)?\.cursor/],
    ['a cursor with a bad date', `cursor=${cursorOf(['yesterday', 1])}`, /query(string)?\.cursor/],
    ['a cursor with a bad id', `cursor=${cursorOf(['2090-01-01T00:00:00Z', -1])}`, /query(string)?\.cursor/],
    ['an over-long cursor', `cursor=${'a'.repeat(601)}`, /query(string)?\.cursor/],
    ['a from that is no date', 'from=yesterday', /query\.from must be an ISO 8601 date-time/],
    ['a to with month 13', 'to=2090-13-01T00:00:00Z', /query\.to has month 13/],
    ['limit 0', 'limit=0', /query(string)?\.limit/],
    ['limit 1001', 'limit=1001', /query(string)?\.limit/],
    ['limit that is no number', 'limit=ten', /query(string)?\.limit/],
    ['an empty app', 'app=', /query(string)?\.app/],
    ['an unknown parameter', 'since=2090-01-01', /query(string)?\.since/],
  ])('refuses %s with 400', async (_label, query, detail) => {
    expectProblem(await api.admin('GET', `/secapp/history?${query}`), 400, detail);
  });
});

function cursorOf(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}
