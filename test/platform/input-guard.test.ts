import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_DEPTH } from '../../src/platform/http/input-guard.js';
import { startTestApp, testService, type TestApp } from '../helpers.js';
import { send, type RawResponse } from '../sweep/raw-http.js';

// A route that takes any text anywhere and echoes it: only the platform's guard stands in the way.
const echo = testService('echo', async (app) => {
  app.post(
    '/echo/:word',
    { schema: { body: Type.Any(), querystring: Type.Object({ q: Type.Optional(Type.String()) }) } },
    async (request) => ({ params: request.params, query: request.query, body: request.body }),
  );
  app.get('/echo/fault', async () => {
    throw new Error('a genuine fault of ours');
  });
});

let app: TestApp;
let port: number;

beforeAll(async () => {
  app = await startTestApp([echo]);
  port = Number(new URL(app.url).port);
});
afterAll(async () => app?.close());

const json = (body: string | Buffer, target = '/echo/w', headers: [string, string][] = []) =>
  send(port, {
    method: 'POST',
    target,
    headers: [['content-type', 'application/json'], ...headers],
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
  });

function refusal(answer: RawResponse, status: number): string {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  return (JSON.parse(answer.body.toString()) as { detail: string }).detail;
}

describe('the input guard', () => {
  it('lets well-formed text through, surrogate pairs, emoji and U+FFFD included', async () => {
    const answer = await json(JSON.stringify({ a: ['é😀\ufffd'] }), '/echo/%C3%A9?q=%F0%9F%98%80');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toEqual({
      params: { word: 'é' },
      query: { q: '😀' },
      body: { a: ['é😀\ufffd'] },
    });
  });

  it.each([
    ['a NUL in the path', '/echo/a%00', /^params\.word contains a NUL byte/],
    ['a NUL in the path outside a parameter', '/echo%00/w', /^The path contains a NUL byte/],
    ['invalid UTF-8 in the path', '/echo/%FF', /is not a valid url component/],
    ['an overlong NUL in the path', '/echo/%ED%B2%80', /is not a valid url component/],
    ['a NUL in a query value', '/echo/w?q=%00', /^query\.q contains a NUL byte/],
    ['an overlong NUL in a query value', '/echo/w?q=%C0%80', /^query\.q is not valid UTF-8/],
    ['invalid UTF-8 in a query name', '/echo/w?%FF=1', /^A query parameter name is not valid UTF-8/],
  ])('refuses %s with a 400', async (_what, target, detail) => {
    expect(refusal(await json('{}', target), 400)).toMatch(detail);
  });

  it('refuses a header that is not UTF-8, naming it', async () => {
    expect(refusal(await json('{}', '/echo/w', [['x-note', '\u00c3(']]), 400)).toBe(
      'Header x-note is not valid UTF-8',
    );
  });

  it.each([
    [
      'a NUL inside a nested string',
      '{"a":[{"b":"x\\u0000"}]}',
      /^body\.a\[0\]\.b contains a NUL character$/,
    ],
    ['a lone surrogate', '{"a":"\\udc80"}', /^body\.a holds a lone surrogate/],
    ['a NUL in a field name', '{"a\\u0000":1}', /^body has a field name that is not text$/],
    [
      'a body nested too deep',
      '['.repeat(MAX_BODY_DEPTH + 1) + ']'.repeat(MAX_BODY_DEPTH + 1),
      /nested deeper than 32/,
    ],
  ])('refuses %s in a JSON body with a 400 naming where', async (_what, body, detail) => {
    expect(refusal(await json(body), 400)).toMatch(detail);
  });

  it('takes a body nested exactly as deep as allowed', async () => {
    const body = '['.repeat(MAX_BODY_DEPTH) + ']'.repeat(MAX_BODY_DEPTH);
    expect((await json(body)).status).toBe(200);
  });

  it('refuses a JSON body whose bytes are not UTF-8, rather than storing U+FFFD in their place', async () => {
    const body = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect(refusal(await json(body), 400)).toBe('The body is not valid UTF-8');
  });

  it('still answers a genuine fault with a 500 problem that quotes the request id', async () => {
    const answer = await send(port, {
      method: 'GET',
      target: '/echo/fault',
      headers: [['x-request-id', 'fault-1']],
    });
    expect(refusal(answer, 500)).toBe('Internal error; quote request id fault-1 when reporting it');
  });

  it('answers what Node refuses to parse as a problem too: a NUL in a header, headers over 16 KB', async () => {
    expect(refusal(await json('{}', '/echo/w', [['x-note', 'a\u0000b']]), 400)).toMatch(/not valid HTTP/);
    expect(refusal(await json('{}', `/echo/w?q=${'a'.repeat(20_000)}`), 431)).toMatch(/exceed 16 KB/);
  });
});
