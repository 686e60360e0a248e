import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shop } from '../../src/services/shop/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { aCustomer, aDisc, client, type Client, expectProblem, UUID, MISSING, JSON_TYPE } from './client.js';

const SQL = "'; DROP TABLE shop.discs; --";

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

async function created(path: string, body: unknown) {
  const answer = await http.post(path, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}
const newDisc = (quantity: number, name?: string) => created('/discs', aDisc(quantity, name));
const newCustomer = (name?: string) => created('/customers', aCustomer(name));
const order = (disc: { id: string }, customer: { id: string }, quantity = 1) => ({
  disc_id: disc.id,
  customer_id: customer.id,
  quantity,
});
const stockOf = async (disc: { id: string }) => (await http.get(`/discs/${disc.id}/stock`)).body;

describe('POST /purchase-orders', () => {
  it('sells: 200 with the order, the customer and disc as at order time, and status confirmed', async () => {
    const disc = await newDisc(5);
    const customer = await newCustomer();
    const before = Date.now();
    const answer = await http.post('/purchase-orders', order(disc, customer, 2));
    const after = Date.now();

    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toContain('application/json');
    expect(answer.body).toEqual({
      id: expect.stringMatching(UUID),
      customer,
      disc: { ...disc, quantity: 3 },
      quantity: 2,
      timestamp: expect.any(String),
      status: 'confirmed',
    });
    const at = Date.parse(answer.body.timestamp);
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(after + 1000);
    expect(await stockOf(disc)).toMatchObject({ initial: 5, sold: 2, remaining: 3, consistent: true });
  });

  it('keeps the snapshots: renaming the disc or the customer later does not change the order', async () => {
    const disc = await newDisc(3, 'Original Title');
    const customer = await newCustomer('Original Name');
    const placed = (await http.post('/purchase-orders', order(disc, customer))).body;

    expect((await http.put(`/discs/${disc.id}`, { name: 'New Title' })).status).toBe(200);
    expect((await http.put(`/customers/${customer.id}`, { name: 'New Name' })).status).toBe(200);
    expect((await http.get(`/discs/${disc.id}`)).body.name).toBe('New Title');

    const fetched = await http.get(`/purchase-orders/${placed.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(placed);
    expect(fetched.body.disc.name).toBe('Original Title');
    expect(fetched.body.customer.name).toBe('Original Name');
  });

  it('answers 409 "Disc is out of stock" for more copies than are left, and sells nothing', async () => {
    const disc = await newDisc(2);
    const customer = await newCustomer();
    expectProblem(
      await http.post('/purchase-orders', order(disc, customer, 3)),
      409,
      /^Disc is out of stock$/,
    );
    expect((await http.post('/purchase-orders', order(disc, customer, 2))).status).toBe(200);
    expectProblem(
      await http.post('/purchase-orders', order(disc, customer, 1)),
      409,
      /^Disc is out of stock$/,
    );
    expect(await stockOf(disc)).toMatchObject({ initial: 2, sold: 2, remaining: 0, consistent: true });
  });

  it('answers 404 for an unknown disc or customer', async () => {
    const disc = await newDisc(1);
    const customer = await newCustomer();
    expectProblem(
      await http.post('/purchase-orders', order({ id: MISSING }, customer)),
      404,
      /^Disc not found$/,
    );
    expectProblem(
      await http.post('/purchase-orders', order(disc, { id: MISSING })),
      404,
      /^Customer not found$/,
    );
    expect(await stockOf(disc)).toMatchObject({ sold: 0, remaining: 1 });
  });

  it('answers 403 for an inactive customer, and sells again once reactivated', async () => {
    const disc = await newDisc(1);
    const customer = await newCustomer();
    await http.put(`/customers/${customer.id}`, { is_active: false });
    expectProblem(await http.post('/purchase-orders', order(disc, customer)), 403, /inactive/);
    expect(await stockOf(disc)).toMatchObject({ sold: 0, remaining: 1 });

    await http.put(`/customers/${customer.id}`, { is_active: true });
    expect((await http.post('/purchase-orders', order(disc, customer))).status).toBe(200);
  });

  describe('validation', () => {
    let disc: { id: string };
    let customer: { id: string };
    beforeAll(async () => {
      disc = await newDisc(10);
      customer = await newCustomer();
    });

    it.each([
      ['quantity 0', { quantity: 0 }, /quantity/],
      ['a negative quantity', { quantity: -1 }, /quantity/],
      ['a huge quantity (1e20)', { quantity: 1e20 }, /quantity/],
      ['a fractional quantity', { quantity: 1.5 }, /quantity/],
      ['a quantity in words', { quantity: 'one' }, /quantity/],
      ['a quantity that is an object', { quantity: { n: 1 } }, /quantity/],
      ['a number for disc_id', { disc_id: 42 }, /disc_id/],
      ['null for customer_id', { customer_id: null }, /customer_id/],
      ['a disc_id of 10,000 characters', { disc_id: 'x'.repeat(10_000) }, /disc_id/],
      ['an SQL-looking disc_id', { disc_id: SQL }, /disc_id/],
      ['a unicode customer_id', { customer_id: 'ü'.repeat(36) }, /customer_id/],
    ])('answers 422 for %s', async (_what, change, detail) => {
      expectProblem(
        await http.post('/purchase-orders', { ...order(disc, customer), ...change }),
        422,
        detail,
      );
    });

    it.each(['disc_id', 'customer_id', 'quantity'])(
      'answers 422 naming %s when it is missing',
      async (field) => {
        const body: Record<string, unknown> = order(disc, customer);
        delete body[field];
        expectProblem(await http.post('/purchase-orders', body), 422, new RegExp(`${field} is required`));
      },
    );

    const envelopes: [string, number, string, Record<string, string>][] = [
      ['malformed JSON', 400, '{"disc_id": ', JSON_TYPE],
      ['an empty body', 400, '', JSON_TYPE],
      ['an empty object', 422, '{}', JSON_TYPE],
      ['a JSON array', 422, '[{"quantity": 1}]', JSON_TYPE],
      ['a JSON string', 422, '"buy"', JSON_TYPE],
      ['JSON null', 422, 'null', JSON_TYPE],
      ['a text/plain body', 415, '{"quantity": 1}', { 'content-type': 'text/plain' }],
    ];
    it.each(envelopes)('answers %s with %i', async (_what, status, body, headers) => {
      expectProblem(await http.call('POST', '/purchase-orders', body, headers), status);
    });

    it('sold nothing while refusing all of that', async () => {
      expect(await stockOf(disc)).toMatchObject({ initial: 10, sold: 0, remaining: 10, consistent: true });
    });

    it('answers 422 for a field it does not know', async () => {
      expect((await http.post('/purchase-orders', { ...order(disc, customer), coupon: 'FREE' })).status).toBe(
        422,
      );
    });
    it('answers 422 for a quantity given as a string', async () => {
      expect((await http.post('/purchase-orders', { ...order(disc, customer), quantity: '1' })).status).toBe(
        422,
      );
    });
    it('answers 422 for a quantity given as a boolean', async () => {
      expect((await http.post('/purchase-orders', { ...order(disc, customer), quantity: true })).status).toBe(
        422,
      );
    });
  });
});

describe('GET /purchase-orders and /purchase-orders/{id}', () => {
  let ada: { id: string };
  let bob: { id: string };
  let jazz: { id: string };
  let rock: { id: string };
  const placed: { id: string; timestamp: string }[] = [];

  beforeAll(async () => {
    ada = await newCustomer('Ada');
    bob = await newCustomer('Bob');
    jazz = await newDisc(10, 'Jazz');
    rock = await newDisc(10, 'Rock');
    // Placed one after another, so each has a later timestamp than the one before.
    for (const [disc, customer] of [
      [jazz, ada],
      [rock, ada],
      [jazz, bob],
    ] as const) {
      const answer = await http.post('/purchase-orders', order(disc, customer));
      expect(answer.status).toBe(200);
      placed.push(answer.body);
      await new Promise((r) => setTimeout(r, 5));
    }
  });

  async function ids(query: string): Promise<string[]> {
    const answer = await http.get(`/purchase-orders?${query}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body.data.map((o: { id: string }) => o.id);
  }

  it('reads one order', async () => {
    const answer = await http.get(`/purchase-orders/${placed[0]!.id}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(placed[0]);
  });

  it('answers 404 for an unknown order and 400 for a bad id', async () => {
    expectProblem(await http.get(`/purchase-orders/${MISSING}`), 404, /not found/);
    expectProblem(await http.get('/purchase-orders/nope'), 400, /id/);
  });

  it('answers {params, limit, offset, data}', async () => {
    const answer = await http.get(`/purchase-orders?customer_id=${bob.id}`);
    expect(answer.body).toEqual({
      params: { customer_id: bob.id },
      limit: 100,
      offset: 0,
      data: [placed[2]],
    });
  });

  it('filters by customer_id, disc_id and both', async () => {
    const [o1, o2, o3] = placed.map((o) => o.id);
    expect(await ids(`customer_id=${ada.id}`)).toEqual([o1, o2]);
    expect(await ids(`disc_id=${jazz.id}`)).toEqual([o1, o3]);
    expect(await ids(`customer_id=${ada.id}&disc_id=${jazz.id}`)).toEqual([o1]);
    expect(await ids(`customer_id=${bob.id}&disc_id=${rock.id}`)).toEqual([]);
    expect(await ids(`customer_id=${MISSING}`)).toEqual([]);
  });

  it('filters by time: from is inclusive, to is exclusive', async () => {
    const [o1, o2, o3] = placed;
    const at = (o: { timestamp: string }) => encodeURIComponent(o.timestamp);
    expect(await ids(`customer_id=${ada.id}&from=${at(o2!)}`)).toEqual([o2!.id]);
    expect(await ids(`customer_id=${ada.id}&to=${at(o2!)}`)).toEqual([o1!.id]);
    expect(await ids(`from=${at(o1!)}&to=${at(o3!)}`)).toEqual([o1!.id, o2!.id]);
    expect(
      await ids(`disc_id=${jazz.id}&from=${at(o3!)}&to=${encodeURIComponent('2999-01-01T00:00:00Z')}`),
    ).toEqual([o3!.id]);
  });

  it('pages with offset and limit', async () => {
    expect(await ids(`customer_id=${ada.id}&limit=1`)).toEqual([placed[0]!.id]);
    expect(await ids(`customer_id=${ada.id}&limit=1&offset=1`)).toEqual([placed[1]!.id]);
  });

  it.each([
    ['customer_id', 'abc'],
    ['disc_id', SQL],
    ['disc_id', '\u0000'],
    ['from', 'yesterday'],
    ['to', 'x'.repeat(10_000)],
    ['from', '0000-01-01T00:00:00Z'],
    ['status', 'shipped'],
    ['limit', '101'],
    ['limit', '1e20'],
    ['offset', '-1'],
  ])('answers 400 for the bad query parameter %s=%s', async (name, value) => {
    expectProblem(await http.get(`/purchase-orders?${new URLSearchParams({ [name]: value })}`), 400);
  });

  it('answers 400 for an unknown query parameter', async () => {
    expect((await http.get(`/purchase-orders?customer=${ada.id}`)).status).toBe(400);
  });

  it.each(['abc', encodeURIComponent(SQL), '%00', '00000000-0000-0000-0000-00000000000g'])(
    'answers 400 for the bad id %s',
    async (id) => {
      expectProblem(await http.get(`/purchase-orders/${id}`), 400);
    },
  );

  it('leaves the data intact after the bad requests', async () => {
    expect(await ids(`customer_id=${ada.id}`)).toHaveLength(2);
    expect(await stockOf(jazz)).toMatchObject({ initial: 10, sold: 2, remaining: 8, consistent: true });
    expect(await stockOf(rock)).toMatchObject({ initial: 10, sold: 1, remaining: 9, consistent: true });
  });
});

describe('queued mode (SHOP_CONCURRENCY=queued)', () => {
  let queued: TestApp;
  let qhttp: Client;

  beforeAll(async () => {
    queued = await startTestApp([shop], { SHOP_CONCURRENCY: 'queued' });
    qhttp = client(queued.url);
  });
  afterAll(async () => {
    await qhttp?.close();
    await queued?.close();
  });

  /** Follows a 202's Location until the order is decided, or fails after the deadline. */
  async function decided(location: string, deadlineMs = 15_000) {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const answer = await qhttp.get(location);
      expect(answer.status).toBe(200);
      if (answer.body.status !== 'pending') return answer.body;
      if (Date.now() > deadline) throw new Error(`order ${location} still pending after ${deadlineMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const setUp = async (quantity: number) => {
    const disc = (await qhttp.post('/discs', aDisc(quantity))).body;
    const customer = (await qhttp.post('/customers', aCustomer())).body;
    return { disc, body: { disc_id: disc.id, customer_id: customer.id, quantity: 1 } };
  };
  const stock = async (disc: { id: string }) => (await qhttp.get(`/discs/${disc.id}/stock`)).body;

  it('answers 202 with a Location whose order becomes confirmed; a sold-out disc is refused at once', async () => {
    const { disc, body } = await setUp(1);
    const placed = await qhttp.post('/purchase-orders', body);
    expect(placed.status).toBe(202);
    expect(placed.headers.location).toBe(`/purchase-orders/${placed.body.id}`);
    expect(placed.body).toMatchObject({ id: expect.stringMatching(UUID), quantity: 1, status: 'pending' });

    expect(await decided(placed.headers.location as string)).toMatchObject({
      id: placed.body.id,
      status: 'confirmed',
      disc: { id: disc.id },
    });
    expect(await stock(disc)).toEqual({
      disc_id: disc.id,
      initial: 1,
      sold: 1,
      remaining: 0,
      pending: 0,
      consistent: true,
    });
    expectProblem(await qhttp.post('/purchase-orders', body), 409, /^Disc is out of stock$/);
  });

  it('sells the last copy once to two orders placed together: the other ends rejected or 409', async () => {
    const { disc, body } = await setUp(1);
    const answers = [await qhttp.post('/purchase-orders', body), await qhttp.post('/purchase-orders', body)];
    expect(answers[0]!.status).toBe(202);
    const outcomes: string[] = [];
    for (const answer of answers) {
      if (answer.status === 202) {
        const order = await decided(answer.headers.location as string);
        outcomes.push(order.status);
        if (order.status === 'rejected') expect(order.reason).toBe('Disc is out of stock');
      } else {
        expectProblem(answer, 409, /^Disc is out of stock$/);
        outcomes.push('409');
      }
    }
    expect(outcomes.filter((o) => o === 'confirmed')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'rejected' || o === '409')).toHaveLength(1);
    expect(await stock(disc)).toMatchObject({
      initial: 1,
      sold: 1,
      remaining: 0,
      pending: 0,
      consistent: true,
    });
  });
});
