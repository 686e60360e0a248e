import { request } from 'undici';

/** Enough copies that no step sells out: a 409 in the results then means a real refusal. */
export const HOT_STOCK = 10_000_000;

export interface Stock {
  disc_id: string;
  initial: number;
  sold: number;
  remaining: number;
  pending: number;
  consistent: boolean;
}

/** Reads are retried through load shedding: a 503 with Retry-After means "ask again", not a failure. */
const SHED_RETRIES = 30;

async function call<T>(url: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const res = await request(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const text = await res.body.text();
    if (res.statusCode === 503 && method === 'GET' && attempt < SHED_RETRIES) {
      await new Promise((r) => setTimeout(r, 1000 * (Number(res.headers['retry-after']) || 1)));
      continue;
    }
    if (res.statusCode >= 300) throw new Error(`${method} ${path} answered ${res.statusCode}: ${text}`);
    return JSON.parse(text) as T;
  }
}

export async function createHotDisc(url: string): Promise<string> {
  const disc = await call<{ id: string }>(url, 'POST', '/discs', {
    name: 'We are Reactive (benchmark)',
    artist: 'Hohpe',
    year_of_release: 2022,
    genre: 'Indie',
    quantity: HOT_STOCK,
  });
  return disc.id;
}

export async function createCustomer(url: string): Promise<string> {
  const customer = await call<{ id: string }>(url, 'POST', '/customers', {
    document: '12345678900',
    name: 'Bench Buyer',
    birth_date: '1990-01-01',
    email: 'bench.buyer@example.com',
    phone: '+5511999999999',
  });
  return customer.id;
}

export const stockOf = (url: string, discId: string) => call<Stock>(url, 'GET', `/discs/${discId}/stock`);
