import { Pool } from 'undici';
import { expect } from 'vitest';

export interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read what the API sent
  headers: Record<string, string | string[] | undefined>;
}

/** A keep-alive HTTP client for one test server; `connections` bounds real concurrency. */
export function client(baseUrl: string, connections = 16) {
  const pool = new Pool(baseUrl, { connections });
  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await pool.request({
      method: method as 'GET',
      path,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.body.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.statusCode, body: parsed, headers: res.headers } as Answer;
  }
  return {
    call,
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown, headers?: Record<string, string>) =>
      call('POST', path, body, headers),
    put: (path: string, body: unknown) => call('PUT', path, body),
    del: (path: string) => call('DELETE', path),
    close: () => pool.close(),
  };
}

export type Client = ReturnType<typeof client>;

export const aDisc = (quantity: number, name = 'We are Reactive') => ({
  name,
  artist: 'Hohpe',
  year_of_release: 2022,
  genre: 'Indie',
  quantity,
});

export const aCustomer = (name = 'John Doe') => ({
  document: '12345678900',
  name,
  birth_date: '1990-01-01',
  email: 'john.doe@example.com',
  phone: '+5511999999999',
});

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A well-formed id that no row has. */
export const MISSING = '00000000-0000-4000-8000-000000000000';
export const JSON_TYPE = { 'content-type': 'application/json' };

/** A 4xx answer in RFC 9457 form, with the given status and a useful detail. */
export function expectProblem(answer: Answer, status: number, detail?: string | RegExp) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.headers['content-type']).toContain('application/problem+json');
  expect(answer.body.status).toBe(status);
  expect(answer.body.detail).toEqual(expect.any(String));
  expect(answer.body.detail.length).toBeGreaterThan(0);
  if (detail !== undefined) expect(answer.body.detail).toMatch(detail);
}
