import { createSigner } from 'fast-jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { showcase } from '../../src/services/showcase/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { expectProblem, PASSWORD, showcaseClient, type ShowcaseClient } from './fixtures.js';

const SECRET = 'a-test-secret-of-at-least-32-bytes-for-hs256';
let app: TestApp;
let api: ShowcaseClient;

beforeAll(async () => {
  app = await startTestApp(
    [showcase],
    { SHOWCASE_JWT_SECRET: SECRET, SHOWCASE_LOGIN_ACCOUNT_LIMIT: '3', SHOWCASE_LOGIN_ADDRESS_LIMIT: '40' },
    { workers: false },
  );
  api = showcaseClient(app);
});
afterAll(async () => {
  await api?.close();
  await app?.close();
});

describe('sign-up', () => {
  it('answers 201 with the player, never the password', async () => {
    const { answer, body } = await api.signup({ email: 'Sofia.Ramirez@Example.com', city: '  Medellín ' });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      id: expect.any(Number),
      first_name: body.first_name,
      last_name: 'Prueba',
      email: 'sofia.ramirez@example.com',
      city: 'Medellín',
      country: 'Colombia',
    });
    const { rows } = await app.runtime.ctx.pool.query(
      `SELECT password_hash FROM showcase.users WHERE id = $1`,
      [answer.body.id],
    );
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);
  });

  it('takes city and country as optional', async () => {
    const { answer } = await api.signup({ city: undefined, country: undefined });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ city: null, country: null });
  });

  it('refuses passwords that differ with the original 400', async () => {
    const { answer } = await api.signup({ password2: 'otraClave99' });
    expectProblem(answer, 400, 'Las contraseñas no coinciden.');
  });

  it('refuses a taken e-mail, whatever its case, with the original 400', async () => {
    await api.signup({ email: 'taken@example.com' });
    const { answer } = await api.signup({ email: 'TAKEN@example.com' });
    expectProblem(answer, 400, 'Email ya está registrado.');
  });

  it('gives one account to concurrent sign-ups of one address', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => api.signup({ email: 'race@example.com' })),
    );
    const statuses = answers.map((a) => a.answer.status).sort();
    expect(statuses).toEqual([201, 400, 400, 400, 400, 400]);
  });

  it('answers 422 for a short password, a bad e-mail, a long name or a missing field', async () => {
    expectProblem((await api.signup({ password1: 'short', password2: 'short' })).answer, 422);
    expectProblem((await api.signup({ email: 'not-an-email' })).answer, 422, /email/);
    expectProblem((await api.signup({ first_name: 'x'.repeat(101) })).answer, 422, /first_name/);
    expectProblem((await api.signup({ last_name: undefined })).answer, 422, /last_name/);
  });
});

describe('login', () => {
  it('answers a bearer token that expires as it says', async () => {
    const { body } = await api.signup();
    const answer = await api.http.post('/api/auth/login', { email: body.email, password: PASSWORD });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 3600 });
    const claims = JSON.parse(Buffer.from(answer.body.access_token.split('.')[1], 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(3600);
    expect((await api.get('/api/videos', answer.body.access_token)).status).toBe(200);
  });

  it('answers a wrong password and an unknown account alike: 401 "Credenciales inválidas."', async () => {
    const { body } = await api.signup();
    const wrong = await api.http.post('/api/auth/login', { email: body.email, password: 'wrong-password' });
    expectProblem(wrong, 401, 'Credenciales inválidas.');
    const unknown = await api.http.post('/api/auth/login', {
      email: 'nobody@example.com',
      password: PASSWORD,
    });
    expectProblem(unknown, 401, 'Credenciales inválidas.');
  });

  it('limits attempts per account: 429 with Retry-After, even with the right password', async () => {
    const { body } = await api.signup();
    for (let i = 0; i < 3; i++)
      expect(
        (await api.http.post('/api/auth/login', { email: body.email, password: 'nope-nope' })).status,
      ).toBe(401);
    const limited = await api.http.post('/api/auth/login', { email: body.email, password: PASSWORD });
    expectProblem(limited, 429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('a good login clears the account count', async () => {
    const { body } = await api.signup();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++)
        expect(
          (await api.http.post('/api/auth/login', { email: body.email, password: 'nope-nope' })).status,
        ).toBe(401);
      expect((await api.http.post('/api/auth/login', { email: body.email, password: PASSWORD })).status).toBe(
        200,
      );
    }
  });

  it('limits attempts per address whatever the account', async () => {
    // Earlier tests spent some of this address's 40; unknown accounts spend the rest.
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++)
      statuses.push(
        (await api.http.post('/api/auth/login', { email: `x${i}@example.com`, password: 'nope-nope' }))
          .status,
      );
    expect(statuses).toContain(429);
    expect(statuses.slice(statuses.indexOf(429)).every((s) => s === 429)).toBe(true);
    await app.runtime.ctx.pool.query(`DELETE FROM platform.attempts`);
  });
});

describe('bearer tokens', () => {
  const sign = (payload: Record<string, unknown>, opts: { clockTimestamp?: number; key?: string } = {}) =>
    createSigner({
      key: opts.key ?? SECRET,
      algorithm: 'HS256',
      expiresIn: 60_000,
      iss: 'showcase',
      clockTimestamp: opts.clockTimestamp,
    })(payload);

  it('missing credentials: 401 with a bare Bearer challenge', async () => {
    const answer = await api.get('/api/videos');
    expectProblem(answer, 401);
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="showcase"');
  });

  it('an expired token: 401 invalid_token', async () => {
    const answer = await api.get('/api/videos', sign({ sub: '1' }, { clockTimestamp: Date.now() - 120_000 }));
    expectProblem(answer, 401, /expired/);
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm="showcase", error="invalid_token"/);
  });

  it('a tampered token (another subject, the old signature) and a forged one: 401 invalid_token', async () => {
    const player = await api.player();
    const [head, , signature] = player.token.split('.');
    const claims = JSON.parse(Buffer.from(player.token.split('.')[1]!, 'base64url').toString());
    const forgedBody = Buffer.from(JSON.stringify({ ...claims, sub: String(player.id + 1) })).toString(
      'base64url',
    );
    const tampered = await api.get('/api/videos', `${head}.${forgedBody}.${signature}`);
    expectProblem(tampered, 401, /not valid/);
    expect(tampered.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    const forged = await api.get(
      '/api/videos',
      sign({ sub: '1' }, { key: 'another-secret-of-at-least-32-bytes!!' }),
    );
    expectProblem(forged, 401, /not valid/);
  });

  it('a header that is not a bearer one: 401 invalid_request', async () => {
    const answer = await api.http.call('GET', '/api/videos', undefined, {
      authorization: 'Basic dXNlcjpwYXNz',
    });
    expectProblem(answer, 401);
    expect(answer.headers['www-authenticate']).toMatch(/error="invalid_request"/);
  });
});
