import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shop } from '../../src/services/shop/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { aCustomer, aDisc, client, type Client, expectProblem, UUID, MISSING, JSON_TYPE } from './client.js';

const SQL = "'; DROP TABLE shop.discs; --";

let app: TestApp;
let http: Client;
let customerId: string;

beforeAll(async () => {
  app = await startTestApp([shop]);
  http = client(app.url);
  customerId = (await http.post('/customers', aCustomer())).body.id;
});
afterAll(async () => {
  await http?.close();
  await app?.close();
});

async function createDisc(disc: ReturnType<typeof aDisc>) {
  const answer = await http.post('/discs', disc);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

const buy = (discId: string, quantity: number) =>
  http.post('/purchase-orders', { disc_id: discId, customer_id: customerId, quantity });

describe('POST /discs and GET /discs/{id}', () => {
  it('creates a disc: 201 with the fields it was given and a uuid id', async () => {
    const input = aDisc(7, 'Blue Train');
    const answer = await http.post('/discs', input);
    expect(answer.status).toBe(201);
    expect(answer.headers['content-type']).toContain('application/json');
    expect(answer.body).toEqual({ ...input, id: expect.stringMatching(UUID) });

    const fetched = await http.get(`/discs/${answer.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(answer.body);
  });

  it('accepts a disc with no copies (quantity 0)', async () => {
    expect((await createDisc(aDisc(0))).quantity).toBe(0);
  });

  it('answers 404 "Disc not found" as a problem for an unknown id', async () => {
    expectProblem(await http.get(`/discs/${MISSING}`), 404, /^Disc not found$/);
  });

  it('answers 400 for an id that is not a uuid', async () => {
    expectProblem(await http.get('/discs/not-a-uuid'), 400, /id/);
  });

  it('requires every field', async () => {
    const { genre: _genre, ...noGenre } = aDisc(1);
    expectProblem(await http.post('/discs', noGenre), 422, /genre/);
  });
});

describe('GET /discs', () => {
  const tag = randomBytes(4).toString('hex');
  const ids: Record<string, string> = {};
  const fixtures = {
    train: {
      name: `Blue Train ${tag}`,
      artist: `John Coltrane ${tag}`,
      genre: `Jazz ${tag}`,
      year_of_release: 1957,
    },
    kind: {
      name: `Kind of Blue ${tag}`,
      artist: `Miles Davis ${tag}`,
      genre: `Jazz ${tag}`,
      year_of_release: 1959,
    },
    lines: {
      name: `Blue Lines ${tag}`,
      artist: `Massive Attack ${tag}`,
      genre: `Trip Hop ${tag}`,
      year_of_release: 1991,
    },
    ok: {
      name: `OK Computer ${tag}`,
      artist: `Radiohead ${tag}`,
      genre: `Rock ${tag}`,
      year_of_release: 1997,
    },
  };

  beforeAll(async () => {
    for (const [key, disc] of Object.entries(fixtures))
      ids[key] = (await createDisc({ ...disc, quantity: 3 })).id;
  });

  /** The ids of the discs found, in the order the API gave them. */
  async function search(query: string): Promise<string[]> {
    const answer = await http.get(`/discs?${query}`);
    expect(answer.status, `${query}: ${JSON.stringify(answer.body)}`).toBe(200);
    return answer.body.data.map((d: { id: string }) => d.id);
  }
  const q = (params: Record<string, string | number>) =>
    new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();

  it('answers {params, limit, offset, data} with the filters it applied and the defaults', async () => {
    const answer = await http.get(
      `/discs?${q({ name_exact: fixtures.kind.name, year_of_release_min: 1950 })}`,
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      params: { name_exact: fixtures.kind.name, year_of_release_min: 1950 },
      limit: 100,
      offset: 0,
      data: [{ ...fixtures.kind, id: ids.kind, quantity: 3 }],
    });
  });

  it('filters by name, artist and genre as case-insensitive substrings', async () => {
    expect(await search(q({ name: tag.toUpperCase() }))).toEqual([ids.lines, ids.train, ids.kind, ids.ok]);
    expect(await search(q({ name: 'bLuE', artist: tag }))).toEqual([ids.lines, ids.train, ids.kind]);
    expect(await search(q({ artist: 'DAVIS', name: tag }))).toEqual([ids.kind]);
    expect(await search(q({ genre: 'jazz', name: tag }))).toEqual([ids.train, ids.kind]);
  });

  it('treats % and _ in a substring filter as plain characters', async () => {
    const percent = await createDisc({ ...aDisc(1, `100% ${tag}`), artist: `Under_score ${tag}` });
    expect(await search(q({ name: '%', artist: tag }))).toEqual([percent.id]);
    expect(await search(q({ artist: '_', name: tag }))).toEqual([percent.id]);
    await http.del(`/discs/${percent.id}`);
  });

  it('filters by name_exact, artist_exact and genre_exact on the whole value, case included', async () => {
    expect(await search(q({ name_exact: fixtures.kind.name }))).toEqual([ids.kind]);
    expect(await search(q({ name_exact: fixtures.kind.name.toLowerCase() }))).toEqual([]);
    expect(await search(q({ name_exact: 'Kind of Blue' }))).toEqual([]);
    expect(await search(q({ artist_exact: fixtures.train.artist }))).toEqual([ids.train]);
    expect(await search(q({ artist_exact: 'John Coltrane' }))).toEqual([]);
    expect(await search(q({ genre_exact: `Jazz ${tag}` }))).toEqual([ids.train, ids.kind]);
    expect(await search(q({ genre_exact: `jazz ${tag}` }))).toEqual([]);
  });

  it('filters by year_of_release_min and year_of_release_max, both inclusive', async () => {
    expect(await search(q({ name: tag, year_of_release_min: 1959 }))).toEqual([ids.lines, ids.kind, ids.ok]);
    expect(await search(q({ name: tag, year_of_release_max: 1959 }))).toEqual([ids.train, ids.kind]);
    expect(await search(q({ name: tag, year_of_release_min: 1958, year_of_release_max: 1991 }))).toEqual([
      ids.lines,
      ids.kind,
    ]);
  });

  it('pages with offset and limit, ordered by name', async () => {
    const page = await http.get(`/discs?${q({ name: tag, limit: 2, offset: 1 })}`);
    expect(page.body).toMatchObject({ params: { name: tag }, limit: 2, offset: 1 });
    expect(page.body.data.map((d: { id: string }) => d.id)).toEqual([ids.train, ids.kind]);
    expect(await search(q({ name: tag, limit: 2 }))).toEqual([ids.lines, ids.train]);
    expect(await search(q({ name: tag, offset: 3 }))).toEqual([ids.ok]);
    expect(await search(q({ name: tag, offset: 4 }))).toEqual([]);
  });

  it.each([
    ['limit=101', /limit/],
    ['limit=0', /limit/],
    ['limit=abc', /limit/],
    ['offset=-1', /offset/],
    ['year_of_release_min=abc', /year_of_release_min/],
    ['year_of_release_max=1e20', /year_of_release_max/],
  ])('answers 400 for an invalid query: %s', async (query, detail) => {
    expectProblem(await http.get(`/discs?${query}`), 400, detail);
  });
});

describe('PUT /discs/{id}', () => {
  it('changes only the fields it is given', async () => {
    const disc = await createDisc(aDisc(4, 'Before'));
    const answer = await http.put(`/discs/${disc.id}`, { name: 'After', year_of_release: 1999 });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ...disc, name: 'After', year_of_release: 1999 });
    expect((await http.get(`/discs/${disc.id}`)).body).toEqual(answer.body);
  });

  it('records a change of quantity in the stock ledger, which stays consistent', async () => {
    const disc = await createDisc(aDisc(10));
    expect((await buy(disc.id, 3)).status).toBe(200);
    expect((await http.get(`/discs/${disc.id}/stock`)).body).toEqual({
      disc_id: disc.id,
      initial: 10,
      sold: 3,
      remaining: 7,
      pending: 0,
      consistent: true,
    });

    // Restock: 7 → 20 is a movement of +13, so initial becomes 10 + 13.
    expect((await http.put(`/discs/${disc.id}`, { quantity: 20 })).body.quantity).toBe(20);
    expect((await http.get(`/discs/${disc.id}/stock`)).body).toMatchObject({
      initial: 23,
      sold: 3,
      remaining: 20,
      consistent: true,
    });

    // A write-off: 20 → 5 is −15.
    expect((await http.put(`/discs/${disc.id}`, { quantity: 5 })).status).toBe(200);
    expect((await http.get(`/discs/${disc.id}/stock`)).body).toMatchObject({
      initial: 8,
      sold: 3,
      remaining: 5,
      consistent: true,
    });

    // A change of other fields moves no stock.
    expect((await http.put(`/discs/${disc.id}`, { genre: 'Jazz', quantity: 5 })).status).toBe(200);
    expect((await http.get(`/discs/${disc.id}/stock`)).body).toMatchObject({ initial: 8, remaining: 5 });
  });

  it('answers 404 "Disc not found" for an unknown disc', async () => {
    expectProblem(await http.put(`/discs/${MISSING}`, { name: 'x' }), 404, /^Disc not found$/);
  });

  it('answers 422 for an empty change and for invalid values', async () => {
    const disc = await createDisc(aDisc(1));
    expectProblem(await http.put(`/discs/${disc.id}`, {}), 422);
    expectProblem(await http.put(`/discs/${disc.id}`, { quantity: -1 }), 422, /quantity/);
    expectProblem(await http.put(`/discs/${disc.id}`, { name: '' }), 422, /name/);
    expect((await http.get(`/discs/${disc.id}`)).body).toEqual(disc);
  });

  it('refuses quantity: null instead of reading it as 0', async () => {
    const disc = await createDisc(aDisc(6));
    expect((await http.put(`/discs/${disc.id}`, { quantity: null })).status).toBe(422);
  });
});

describe('DELETE /discs/{id}', () => {
  it('answers 204, after which the disc is gone (404)', async () => {
    const disc = await createDisc(aDisc(2));
    const answer = await http.del(`/discs/${disc.id}`);
    expect(answer.status).toBe(204);
    expect(answer.body).toBeUndefined();
    expectProblem(await http.get(`/discs/${disc.id}`), 404, /^Disc not found$/);
    expectProblem(await http.get(`/discs/${disc.id}/stock`), 404);
    expectProblem(await http.del(`/discs/${disc.id}`), 404, /^Disc not found$/);
  });

  it('answers 409 for a disc that has orders, and keeps it', async () => {
    const disc = await createDisc(aDisc(2));
    expect((await buy(disc.id, 1)).status).toBe(200);
    expectProblem(await http.del(`/discs/${disc.id}`), 409, /orders/);
    expect((await http.get(`/discs/${disc.id}`)).status).toBe(200);
  });

  it('answers 400 for an id that is not a uuid', async () => {
    expectProblem(await http.del('/discs/42'), 400);
  });
});

describe('bad input to the disc routes', () => {
  let witness: { id: string };
  let other: { id: string };

  beforeAll(async () => {
    // A disc with a sale, whose ledger must be untouched by everything below.
    witness = await createDisc(aDisc(7, 'Witness'));
    expect((await buy(witness.id, 2)).status).toBe(200);
    other = await createDisc(aDisc(1, 'Target of bad updates'));
  });

  const envelopes: [string, number, string, Record<string, string>][] = [
    ['malformed JSON', 400, '{"name": ', JSON_TYPE],
    ['an empty body', 400, '', JSON_TYPE],
    ['a JSON array', 422, '[]', JSON_TYPE],
    ['a JSON string', 422, '"disc"', JSON_TYPE],
    ['JSON null', 422, 'null', JSON_TYPE],
    ['a text/plain body', 415, 'name=x', { 'content-type': 'text/plain' }],
    ['a form body', 415, 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }],
  ];
  it.each(envelopes)('POST /discs with %s answers %i', async (_what, status, body, headers) => {
    expectProblem(await http.call('POST', '/discs', body, headers), status);
  });
  it.each(envelopes)('PUT /discs/{id} with %s answers %i', async (_what, status, body, headers) => {
    expectProblem(await http.call('PUT', `/discs/${other.id}`, body, headers), status);
  });

  it('answers 413 for a body over the size limit', async () => {
    expectProblem(await http.post('/discs', aDisc(1, 'x'.repeat(1_100_000))), 413);
  });

  it.each([
    ['a huge quantity', { quantity: 1e20 }, /quantity/],
    ['a negative quantity', { quantity: -1 }, /quantity/],
    ['a fractional quantity', { quantity: 1.5 }, /quantity/],
    ['a quantity that is not a number', { quantity: 'many' }, /quantity/],
    ['a huge year', { year_of_release: 1e20 }, /year_of_release/],
    ['a negative year', { year_of_release: -2022 }, /year_of_release/],
    ['a name of 10,000 characters', { name: 'x'.repeat(10_000) }, /name/],
    ['an artist of 10,000 characters', { artist: 'é'.repeat(10_000) }, /artist/],
    ['an empty genre', { genre: '' }, /genre/],
  ])('answers 422 for %s, on create and update', async (_what, change, detail) => {
    expectProblem(await http.post('/discs', { ...aDisc(1), ...change }), 422, detail);
    expectProblem(await http.put(`/discs/${other.id}`, change), 422, detail);
  });

  it.each([
    ['unicode', 'Ünïcødé 🎵 日本語 — ½'],
    ['SQL', SQL],
  ])('stores %s text as data, not code, and finds it again', async (_what, name) => {
    const created = await http.post('/discs', aDisc(1, name));
    expect(created.status).toBe(201);
    const found = await http.get(`/discs?${new URLSearchParams({ name_exact: created.body.name })}`);
    expect(found.status).toBe(200);
    expect(found.body.data.map((d: { id: string }) => d.id)).toEqual([created.body.id]);
    expect(created.body.name).toBe(name);
    expect((await http.del(`/discs/${created.body.id}`)).status).toBe(204);
  });

  const badIds = [
    'abc',
    '123',
    encodeURIComponent(SQL),
    '00000000-0000-0000-0000-00000000000g',
    '%00',
    'x'.repeat(100),
    'urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8',
  ];
  it.each(badIds)('answers 400 for the bad id %s on every /discs/{id} route', async (id) => {
    expectProblem(await http.get(`/discs/${id}`), 400);
    expectProblem(await http.get(`/discs/${id}/stock`), 400);
    expectProblem(await http.put(`/discs/${id}`, { name: 'x' }), 400);
    expectProblem(await http.del(`/discs/${id}`), 400);
  });

  it('never answers 5xx for a 10,000-character id in the path', async () => {
    const answer = await http.get(`/discs/${'x'.repeat(10_000)}`);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
  });

  it('answers a problem for a 10,000-character id in the path', async () => {
    expect((await http.get(`/discs/${'x'.repeat(10_000)}`)).headers['content-type']).toContain(
      'application/problem+json',
    );
  });

  it.each([
    ['name', 'x'.repeat(10_000)],
    ['artist', '\u0000'],
    ['genre_exact', 'é'.repeat(256)],
    ['limit', '1e20'],
    ['offset', '-5'],
    ['year_of_release_min', '-1'],
    ['year_of_release_max', SQL],
  ])('answers 400 for the bad query parameter %s', async (name, value) => {
    expectProblem(await http.get(`/discs?${new URLSearchParams({ [name]: value })}`), 400, new RegExp(name));
  });

  it('looks SQL-looking filters up as text', async () => {
    const answer = await http.get(`/discs?${new URLSearchParams({ name: SQL, artist_exact: SQL })}`);
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual([]);
  });

  it('answers 400 for an unknown query parameter', async () => {
    expect((await http.get('/discs?colour=blue')).status).toBe(400);
  });

  it('leaves the data intact: the witness disc and its ledger are unchanged', async () => {
    expect((await http.get(`/discs/${witness.id}`)).body).toEqual({ ...witness, quantity: 5 });
    expect((await http.get(`/discs/${witness.id}/stock`)).body).toEqual({
      disc_id: witness.id,
      initial: 7,
      sold: 2,
      remaining: 5,
      pending: 0,
      consistent: true,
    });
    expect((await http.get(`/discs/${other.id}`)).body).toEqual(other);
    expect((await http.get('/discs?name_exact=Witness')).body.data).toHaveLength(1);
  });
});
