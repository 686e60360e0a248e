import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shop } from '../../src/services/shop/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { aCustomer, client, type Client, expectProblem, UUID, MISSING, JSON_TYPE } from './client.js';

const SQL = "'; DROP TABLE shop.customers; --";

let app: TestApp;
let http: Client;

beforeAll(async () => {
  app = await startTestApp([shop]);
  http = client(app.url);
});
afterAll(async () => {
  await http?.close();
  await app?.close();
});

async function createCustomer(customer = aCustomer()) {
  const answer = await http.post('/customers', customer);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

describe('POST /customers', () => {
  it('registers a customer: 201, the fields it was given, a uuid id and is_active true', async () => {
    const input = { ...aCustomer('Ada Lovelace'), birth_date: '1815-12-10', email: 'ada@example.org' };
    const answer = await http.post('/customers', input);
    expect(answer.status).toBe(201);
    expect(answer.headers['content-type']).toContain('application/json');
    expect(answer.body).toEqual({ ...input, id: expect.stringMatching(UUID), is_active: true });
  });

  it.each(['1990-13-45', 'yesterday', '1990-02-30', '01/02/1990', '1990-1-1', ''])(
    'answers 422 naming birth_date for the date %j',
    async (birth_date) => {
      expectProblem(await http.post('/customers', { ...aCustomer(), birth_date }), 422, /birth_date/);
    },
  );

  it.each(['not-an-email', 'john@', '@example.com', 'john doe@example.com', ''])(
    'answers 422 naming email for the address %j',
    async (email) => {
      expectProblem(await http.post('/customers', { ...aCustomer(), email }), 422, /email/);
    },
  );

  it.each(['document', 'name', 'birth_date', 'email', 'phone'])(
    'answers 422 naming %s when it is missing',
    async (field) => {
      const customer: Record<string, unknown> = aCustomer();
      delete customer[field];
      expectProblem(await http.post('/customers', customer), 422, new RegExp(`${field} is required`));
    },
  );

  it('answers 422 for a field it does not know', async () => {
    expect((await http.post('/customers', { ...aCustomer(), is_admin: true })).status).toBe(422);
  });
});

describe('GET and PUT /customers/{id}', () => {
  it('reads a customer back', async () => {
    const customer = await createCustomer();
    const answer = await http.get(`/customers/${customer.id}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(customer);
  });

  it('changes only the fields it is given', async () => {
    const customer = await createCustomer();
    const answer = await http.put(`/customers/${customer.id}`, {
      name: 'Jane Doe',
      phone: '+44 20 7946 0000',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ...customer, name: 'Jane Doe', phone: '+44 20 7946 0000' });
    expect((await http.get(`/customers/${customer.id}`)).body).toEqual(answer.body);
  });

  it('deactivates and reactivates a customer with is_active', async () => {
    const customer = await createCustomer();
    const off = await http.put(`/customers/${customer.id}`, { is_active: false });
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ ...customer, is_active: false });
    expect((await http.get(`/customers/${customer.id}`)).body.is_active).toBe(false);

    const on = await http.put(`/customers/${customer.id}`, { is_active: true });
    expect(on.body).toEqual(customer);
  });

  it('answers 404 "Customer not found" for an unknown customer', async () => {
    expectProblem(await http.get(`/customers/${MISSING}`), 404, /^Customer not found$/);
    expectProblem(await http.put(`/customers/${MISSING}`, { name: 'x' }), 404, /^Customer not found$/);
  });

  it('answers 422 for an empty change and for invalid values, and keeps the customer', async () => {
    const customer = await createCustomer();
    expectProblem(await http.put(`/customers/${customer.id}`, {}), 422);
    expectProblem(
      await http.put(`/customers/${customer.id}`, { birth_date: '1990-13-45' }),
      422,
      /birth_date/,
    );
    expectProblem(await http.put(`/customers/${customer.id}`, { email: 'nope' }), 422, /email/);
    expectProblem(await http.put(`/customers/${customer.id}`, { is_active: 'maybe' }), 422, /is_active/);
    expect((await http.get(`/customers/${customer.id}`)).body).toEqual(customer);
  });

  it('answers 422 for is_active given as a string', async () => {
    const customer = await createCustomer();
    expect((await http.put(`/customers/${customer.id}`, { is_active: 'false' })).status).toBe(422);
  });
});

describe('bad input to the customer routes', () => {
  let witness: { id: string };

  beforeAll(async () => {
    witness = await createCustomer(aCustomer('Witness'));
  });

  const envelopes: [string, number, string, Record<string, string>][] = [
    ['malformed JSON', 400, '{"name": ', JSON_TYPE],
    ['an empty body', 400, '', JSON_TYPE],
    ['a JSON array', 422, '[]', JSON_TYPE],
    ['a JSON string', 422, '"customer"', JSON_TYPE],
    ['JSON null', 422, 'null', JSON_TYPE],
    ['a text/plain body', 415, 'name=x', { 'content-type': 'text/plain' }],
  ];
  it.each(envelopes)('POST /customers with %s answers %i', async (_what, status, body, headers) => {
    expectProblem(await http.call('POST', '/customers', body, headers), status);
  });
  it.each(envelopes)('PUT /customers/{id} with %s answers %i', async (_what, status, body, headers) => {
    expectProblem(await http.call('PUT', `/customers/${witness.id}`, body, headers), status);
  });

  it.each([
    ['a name of 10,000 characters', { name: 'x'.repeat(10_000) }, /name/],
    ['a document of 10,000 characters', { document: '9'.repeat(10_000) }, /document/],
    ['an email of 10,000 characters', { email: `${'a'.repeat(10_000)}@example.com` }, /email/],
    ['an object for a name', { name: { first: 'John' } }, /name/],
    ['an empty document', { document: '' }, /document/],
  ])('answers 422 for %s, on create and update', async (_what, change, detail) => {
    expectProblem(await http.post('/customers', { ...aCustomer(), ...change }), 422, detail);
    expectProblem(await http.put(`/customers/${witness.id}`, change), 422, detail);
  });

  it('answers 4xx, not 5xx, for a date PostgreSQL cannot hold', async () => {
    const answer = await http.post('/customers', { ...aCustomer(), birth_date: '0000-01-01' });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expectProblem(answer, answer.status, /date/);
  });

  it.each([
    ['unicode', 'Zoë Ñúñez 李小龍 🎸'],
    ['SQL', SQL],
  ])('stores %s text as data, not code', async (_what, name) => {
    const created = await createCustomer({ ...aCustomer(name), document: name });
    expect(created).toMatchObject({ name, document: name });
    expect((await http.get(`/customers/${created.id}`)).body).toEqual(created);
  });

  it.each(['abc', '123', encodeURIComponent(SQL), '00000000-0000-0000-0000-00000000000g', '%00'])(
    'answers 400 for the bad id %s on GET and PUT',
    async (id) => {
      expectProblem(await http.get(`/customers/${id}`), 400, /id/);
      expectProblem(await http.put(`/customers/${id}`, { name: 'x' }), 400, /id/);
    },
  );

  it('ignores unknown query parameters on a route that takes none', async () => {
    expect((await http.get(`/customers/${witness.id}?drop=${encodeURIComponent(SQL)}`)).status).toBe(200);
  });

  it('leaves the data intact', async () => {
    expect((await http.get(`/customers/${witness.id}`)).body).toEqual(witness);
  });
});
