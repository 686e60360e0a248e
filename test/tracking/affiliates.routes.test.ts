import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tracking } from '../../src/services/tracking/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { client, expectProblem, JSON_TYPE, MISSING, UUID, type Client } from './fixtures.js';

let app: TestApp;
let http: Client;

beforeAll(async () => {
  app = await startTestApp([tracking], {}, { workers: false });
  http = client(app.url);
});
afterAll(async () => {
  await http?.close();
  await app?.close();
});

const patch = (id: string, body: unknown) => http.call('PATCH', `/affiliates/${id}`, body);

async function create(name: string) {
  const answer = await http.post('/affiliates', { name });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { id: string; name: string; created_at: string };
}

describe('affiliates', () => {
  it('registers an affiliate with its name trimmed', async () => {
    const answer = await http.post('/affiliates', { name: '  Ana Gómez  ' });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      id: expect.stringMatching(UUID),
      name: 'Ana Gómez',
      created_at: expect.any(String),
    });
    expect(Date.parse(answer.body.created_at)).not.toBeNaN();
    expect((await http.get(`/affiliates/${answer.body.id}`)).body).toEqual(answer.body);
  });

  it('lists newest first at /affiliates/ and /affiliates, with limit and offset', async () => {
    const made = [];
    for (const name of ['first', 'second', 'third']) made.push(await create(name));
    const slash = await http.get('/affiliates/');
    expect(slash.status).toBe(200);
    expect(slash.body.slice(0, 3)).toEqual([made[2], made[1], made[0]]);
    expect((await http.get('/affiliates')).body).toEqual(slash.body);
    expect((await http.get('/affiliates/?limit=1&offset=1')).body).toEqual([made[1]]);
    expect((await http.get('/affiliates?offset=1000')).body).toEqual([]);
    expect((await http.post('/affiliates/', { name: 'via slash' })).status).toBe(201);
  });

  it('lists 50 by default', async () => {
    for (let i = 0; i < 50; i++) await create(`bulk ${i}`);
    expect((await http.get('/affiliates/')).body).toHaveLength(50);
    expect((await http.get('/affiliates/?limit=1000')).body.length).toBeGreaterThan(50);
  });

  it('renames an affiliate', async () => {
    const affiliate = await create('old name');
    const answer = await patch(affiliate.id, { name: ' new name ' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ...affiliate, name: 'new name' });
    expect((await http.get(`/affiliates/${affiliate.id}`)).body.name).toBe('new name');
  });

  it('answers 404 "Affiliate not found" for an unknown affiliate', async () => {
    expectProblem(await http.get(`/affiliates/${MISSING}`), 404, /^Affiliate not found$/);
    expectProblem(await patch(MISSING, { name: 'anyone' }), 404, /^Affiliate not found$/);
  });
});

describe('bad input to the affiliate routes', () => {
  let witness: { id: string; name: string; created_at: string };
  beforeAll(async () => {
    witness = await create('witness');
  });

  it.each<[string, unknown, RegExp]>([
    ['a one-letter name', { name: 'A' }, /^name must have at least 2 characters/],
    ['a name of spaces', { name: '     ' }, /^name must have at least 2 characters/],
    ['a padded one-letter name', { name: '  A  ' }, /^name must have at least 2 characters/],
    ['no name', {}, /^name is required$/],
    ['a null name', { name: null }, /^name is required$/],
    ['a number for the name', { name: 42 }, /^name must be a string$/],
    ['a name of 256 characters', { name: 'x'.repeat(256) }, /^name is longer than 255 characters$/],
    ['a NUL character', { name: 'Ana\u0000' }, /NUL/],
    ['an unknown field', { name: 'Ana', admin: true }, /^Unknown field: admin/],
    ['an array', [{ name: 'Ana' }], /must be a JSON object/],
    ['JSON null', null, /must be a JSON object/],
  ])('POST and PATCH answer 400 for %s', async (_what, body, detail) => {
    expectProblem(await http.post('/affiliates', body), 400, detail);
    expectProblem(await patch(witness.id, body), 400, detail);
  });

  it.each<[string, number, string, Record<string, string>]>([
    ['malformed JSON', 400, '{"name": ', JSON_TYPE],
    ['an empty body', 400, '', JSON_TYPE],
    ['a text/plain body', 415, 'name=x', { 'content-type': 'text/plain' }],
  ])('POST and PATCH with %s answer %i', async (_what, status, body, headers) => {
    expectProblem(await http.call('POST', '/affiliates', body, headers), status);
    expectProblem(await http.call('PATCH', `/affiliates/${witness.id}`, body, headers), status);
  });

  it.each(['abc', '123', '00000000-0000-0000-0000-00000000000g'])(
    'GET and PATCH answer 400 "Invalid affiliate ID" for %s, even with a bad body',
    async (id) => {
      expectProblem(await http.get(`/affiliates/${id}`), 400, /^Invalid affiliate ID$/);
      expectProblem(await patch(id, { name: 'Fine name' }), 400, /^Invalid affiliate ID$/);
      expectProblem(await patch(id, { name: 1 }), 400, /^Invalid affiliate ID$/);
    },
  );

  it.each([
    ['limit=0', /limit/],
    ['limit=1001', /limit/],
    ['offset=-1', /offset/],
    ['limit=many', /limit/],
    ['page=2', /page is not an allowed field/],
  ])('GET /affiliates/?%s answers 400', async (query, detail) => {
    expectProblem(await http.get(`/affiliates/?${query}`), 400, detail);
    expectProblem(await http.get(`/affiliates?${query}`), 400, detail);
  });

  it('leaves the data intact', async () => {
    expect((await http.get(`/affiliates/${witness.id}`)).body).toEqual(witness);
  });
});
