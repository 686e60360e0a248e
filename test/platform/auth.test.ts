import type { FastifyInstance } from 'fastify';
import { createSigner } from 'fast-jwt';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BEARER_SCHEME,
  createBearerTokens,
  principalOf,
  requireBearer,
} from '../../src/platform/auth/bearer.js';
import { hashSecret, sameToken, verifySecret } from '../../src/platform/auth/secrets.js';
import { problems } from '../../src/platform/http/schemas.js';
import { client, type Client } from '../shop/client.js';
import { startTestApp, type TestApp, testService } from '../helpers.js';

const SECRET = 'a test secret of at least thirty-two bytes';

describe('stored secrets', () => {
  it('hashes with argon2id at the OWASP parameters, salted: the same input hashes differently', async () => {
    const [a, b] = await Promise.all([hashSecret('hunter22'), hashSecret('hunter22')]);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('hunter22');
  });

  it('verifies the right secret and refuses a wrong one', async () => {
    const stored = await hashSecret('correct horse');
    expect(await verifySecret(stored, 'correct horse')).toBe(true);
    expect(await verifySecret(stored, 'correct horse ')).toBe(false);
    expect(await verifySecret(stored, '')).toBe(false);
  });

  it('refuses when nothing is stored, after the work of a real check', async () => {
    await verifySecret(undefined, 'warm the decoy');
    const t = performance.now();
    expect(await verifySecret(undefined, 'x')).toBe(false);
    // argon2id over 19 MiB cannot finish in a millisecond; a check that skipped it would.
    expect(performance.now() - t).toBeGreaterThan(1);
  });

  it('compares API tokens of any length without throwing', () => {
    expect(sameToken('s3cret-token', 's3cret-token')).toBe(true);
    expect(sameToken('s3cret-token', 's3cret-tokem')).toBe(false);
    expect(sameToken('short', 's3cret-token')).toBe(false);
    expect(sameToken('', 's3cret-token')).toBe(false);
  });
});

describe('bearer tokens', () => {
  afterEach(() => vi.useRealTimers());

  it('issue a token that verifies to its subject and claims, with its lifetime', () => {
    const tokens = createBearerTokens({ secret: SECRET, ttlSeconds: 3600, realm: 'demo' });
    const issued = tokens.issue('user-1', { name: 'Ana' });
    expect(issued).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    const claims = tokens.verify(issued.access_token);
    expect(claims).toMatchObject({ sub: 'user-1', name: 'Ana', iss: 'demo' });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
  });

  it('refuse an expired token and say so', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const tokens = createBearerTokens({ secret: SECRET, ttlSeconds: 60, realm: 'demo' });
    const { access_token } = tokens.issue('user-1');
    vi.setSystemTime(Date.now() + 59_000);
    expect(tokens.verify(access_token).sub).toBe('user-1');
    vi.setSystemTime(Date.now() + 2_000);
    expect(() => tokens.verify(access_token)).toThrow('The token has expired; log in again');
  });

  it('refuse tokens signed with another key, issued for another realm, or without a subject', () => {
    const tokens = createBearerTokens({ secret: SECRET, ttlSeconds: 60, realm: 'demo' });
    const forged = createBearerTokens({ secret: SECRET.replace('a', 'A'), ttlSeconds: 60, realm: 'demo' });
    const elsewhere = createBearerTokens({ secret: SECRET, ttlSeconds: 60, realm: 'other' });
    expect(() => tokens.verify(forged.issue('u').access_token)).toThrow('The token is not valid');
    expect(() => tokens.verify(elsewhere.issue('u').access_token)).toThrow('The token is not valid');
    const anonymous = createSigner({ key: SECRET, iss: 'demo', expiresIn: 60_000 })({});
    expect(() => tokens.verify(anonymous)).toThrow('The token names no subject');
    expect(() => tokens.verify('not.a.token')).toThrow('The token is not valid');
  });

  it('refuse a key too short for HS256', () => {
    expect(() => createBearerTokens({ secret: 'short', ttlSeconds: 60, realm: 'demo' })).toThrow(
      'at least 32 bytes',
    );
  });
});

describe('a route behind requireBearer', () => {
  const tokens = createBearerTokens({ secret: SECRET, ttlSeconds: 60, realm: 'demo' });
  const demo = testService(
    'authdemo',
    async (app: FastifyInstance) => {
      app.get(
        '/whoami',
        {
          preHandler: requireBearer(tokens),
          schema: { security: [{ bearer: [] }], response: problems(401) },
        },
        async (request) => ({ sub: principalOf(request).sub }),
      );
      app.get('/open', async (request) => ({ sub: principalOf(request).sub }));
    },
    { securitySchemes: { bearer: BEARER_SCHEME } },
  );
  let app: TestApp;
  let http: Client;

  beforeAll(async () => {
    // fatal: the 500 below is meant, and its error line would only clutter the output.
    app = await startTestApp([demo], { LOG_LEVEL: 'fatal' }, { workers: false });
    http = client(app.url);
  });
  afterAll(async () => {
    await http?.close();
    await app?.close();
  });

  const whoami = (authorization?: string) =>
    http.call('GET', '/whoami', undefined, authorization ? { authorization } : {});

  it('lets a valid token through and tells the route who sent it', async () => {
    const res = await whoami(`Bearer ${tokens.issue('user-7').access_token}`);
    expect(res).toMatchObject({ status: 200, body: { sub: 'user-7' } });
  });

  it('answers a missing header with 401 problem+json and a bare challenge', async () => {
    const res = await whoami();
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="demo"');
    expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized', detail: /Authorization: Bearer/ });
  });

  it('names what is wrong with a malformed header or a bad token', async () => {
    const basic = await whoami('Basic dXNlcjpwYXNz');
    expect(basic.status).toBe(401);
    expect(basic.headers['www-authenticate']).toContain('error="invalid_request"');
    const bad = await whoami('Bearer abc.def.ghi');
    expect(bad.status).toBe(401);
    expect(bad.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(bad.body.detail).toBe('The token is not valid');
  });

  it('is a server error, not an open door, when a route reads a principal it never checked', async () => {
    expect((await http.get('/open')).status).toBe(500);
  });

  it('documents the scheme, the route that uses it and its 401', async () => {
    const doc = (await http.get('/openapi.json')).body;
    expect(doc.components.securitySchemes.bearer).toEqual(BEARER_SCHEME);
    expect(doc.paths['/whoami'].get.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/whoami'].get.responses['401'].content).toHaveProperty(['application/problem+json']);
  });
});
