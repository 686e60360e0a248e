import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { criticality } from '../../src/services/criticality/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { expectProblem, secapp, SHARED, type Answer, type Secapp } from './fixtures.js';

let app: TestApp;
let api: Secapp;

beforeAll(async () => {
  app = await startTestApp([criticality], {}, { workers: false });
  api = secapp(app.url);
});
afterAll(async () => {
  await api?.close();
  await app?.close();
});

const AT = '2017-07-21T17:32:28Z';

async function register(name: string): Promise<string> {
  const answer = await api.admin('POST', '/secapp/apps', { name });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.token as string;
}

/** A 401 for an app token, with the challenge that names the header to send. */
function expectRefused(answer: Answer, detail?: RegExp) {
  expectProblem(answer, 401, detail);
  expect(answer.headers['www-authenticate']).toMatch(/^ApiKey realm="secapp", header="token"$/);
}

/** Whether `token` may speak for `name`, on both methods: the GET and the POST each answer it. */
async function both(name: string, token: string | null) {
  return [await api.poll(name, token), await api.state(name, 1, AT, token)] as const;
}

describe('tokens', () => {
  it('the shared token works for any app name that has none of its own', async () => {
    for (const name of ['never-registered', 'another one', 'x']) {
      const [get, post] = await both(name, SHARED);
      expect(get.status).toBe(200);
      expect(post.status).toBe(200);
    }
  });

  it('registering shows the token once; then only that token works for the name', async () => {
    const created = await api.admin('POST', '/secapp/apps', { name: 'own-token' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      name: 'own-token',
      created_at: expect.any(String),
      rotated_at: null,
      revoked_at: null,
      active: true,
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    const token = created.body.token as string;

    const [get, post] = await both('own-token', token);
    expect(get.status).toBe(200);
    expect(post.status).toBe(200);
    expect(post.body).toEqual({ processed_id: expect.any(Number) });

    const [sharedGet, sharedPost] = await both('own-token', SHARED);
    expectRefused(sharedGet, /token of its own; the shared token is not accepted/);
    expectRefused(sharedPost, /token of its own; the shared token is not accepted/);

    const [wrongGet, wrongPost] = await both('own-token', 'not-the-token');
    expectRefused(wrongGet, /^Valor incorrecto del API Token$/);
    expectRefused(wrongPost, /^Valor incorrecto del header Token$/);

    const [noneGet, nonePost] = await both('own-token', null);
    expectRefused(noneGet, /^Valor incorrecto del API Token$/);
    expectRefused(nonePost, /^Valor incorrecto del header Token$/);

    // An app's token is its own: it does not speak for other names.
    const [otherGet, otherPost] = await both('someone-else', token);
    expectRefused(otherGet);
    expectRefused(otherPost);
  });

  it('the registered app is given states like any other', async () => {
    const token = await register('own-reader');
    await api.poll('own-reader', token);
    const posted = await api.state('some-producer', 4, '2070-01-01T00:00:00Z');
    expect((await api.poll('own-reader', token)).body).toEqual({
      current_status: 4,
      status_change_id: posted.body.processed_id,
      Change_at: '2070-01-01T00:00:00Z',
    });
  });

  it('rotating refuses the old token at once and accepts the new one', async () => {
    const old = await register('rotated');
    const rotated = await api.admin('POST', '/secapp/apps/rotated/rotate');
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ name: 'rotated', active: true, rotated_at: expect.any(String) });
    const fresh = rotated.body.token as string;
    expect(fresh).not.toBe(old);

    for (const answer of await both('rotated', old)) expectRefused(answer, /Valor incorrecto/);
    for (const answer of await both('rotated', fresh)) expect(answer.status).toBe(200);
    for (const answer of await both('rotated', SHARED)) expectRefused(answer, /token of its own/);
  });

  it('revoking refuses the name with any token until it is registered again', async () => {
    const token = await register('revoked');
    const revoked = await api.admin('DELETE', '/secapp/apps/revoked');
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ name: 'revoked', active: false, revoked_at: expect.any(String) });

    for (const t of [token, SHARED, 'anything'])
      for (const answer of await both('revoked', t))
        expectRefused(answer, /has been revoked; an administrator can register it again/);

    // Revoking again keeps the first moment.
    const again = await api.admin('DELETE', '/secapp/apps/revoked');
    expect(again.status).toBe(200);
    expect(again.body.revoked_at).toBe(revoked.body.revoked_at);

    // A revoked app has no token to rotate: it is registered again instead.
    expectProblem(await api.admin('POST', '/secapp/apps/revoked/rotate'), 409, /revoked; register it again/);
    const back = await register('revoked');
    expect(back).not.toBe(token);
    for (const answer of await both('revoked', back)) expect(answer.status).toBe(200);
    for (const answer of await both('revoked', token)) expectRefused(answer);
  });

  it('reads App-name and token whatever their case', async () => {
    const token = await register('cased-app');
    const lower = await api.http.call('GET', '/secapp/update', undefined, {
      'app-name': 'cased-app',
      TOKEN: token,
    });
    expect(lower.status).toBe(200);
    const post = await api.http.call(
      'POST',
      '/secapp/update',
      { current_status: 1, Change_at: AT },
      { 'APP-NAME': 'cased-app', Token: token },
    );
    expect(post.status).toBe(200);
    expectRefused(
      await api.http.call('GET', '/secapp/update', undefined, { 'app-name': 'cased-app', TOKEN: SHARED }),
      /token of its own/,
    );
  });

  it('with its own token but no App-name, an app is refused: the token alone names no app', async () => {
    const token = await register('nameless');
    expectRefused(await api.poll(undefined, token), /Valor incorrecto/);
    expectRefused(await api.post(undefined, { current_status: 1, Change_at: AT }, token), /Valor incorrecto/);
    // The shared token without App-name is told what is missing, as in the original.
    expectProblem(await api.poll(undefined, SHARED), 400, /^Falta el encabezado App-name$/);
  });
});

describe('the admin routes', () => {
  it('list the apps, never a token or its digest', async () => {
    const token = await register('listed');
    const list = await api.admin('GET', '/secapp/apps');
    expect(list.status).toBe(200);
    const listed = (list.body.items as { name: string }[]).find((a) => a.name === 'listed');
    expect(listed).toEqual({
      name: 'listed',
      created_at: expect.any(String),
      rotated_at: null,
      revoked_at: null,
      active: true,
    });
    const raw = JSON.stringify(list.body);
    expect(raw).not.toContain(token);
    for (const item of list.body.items) expect(Object.keys(item).sort()).toEqual(INFO_KEYS);
    const names = (list.body.items as { name: string }[]).map((a) => a.name);
    expect(names).toEqual([...names].sort());
  });

  it('answer a second registration of an active app with 409', async () => {
    const token = await register('twice');
    expectProblem(await api.admin('POST', '/secapp/apps', { name: 'twice' }), 409, /already registered/);
    // The first token still works: the refused registration changed nothing.
    expect((await api.poll('twice', token)).status).toBe(200);
  });

  it('answer an unknown app with 404', async () => {
    expectProblem(await api.admin('POST', '/secapp/apps/nobody/rotate'), 404, /No app named nobody/);
    expectProblem(await api.admin('DELETE', '/secapp/apps/nobody'), 404, /No app named nobody/);
  });

  it.each([
    ['an empty name', { name: '' }],
    ['a name with a space at the end', { name: 'trailing ' }],
    ['a name beyond ASCII', { name: 'café' }],
    ['a name over 255 characters', { name: 'a'.repeat(256) }],
    ['no name', {}],
    ['an unknown field', { name: 'ok', token: 'mine' }],
  ])('refuse %s with 422', async (_label, body) => {
    expectProblem(await api.admin('POST', '/secapp/apps', body), 422, /name|token|must/);
  });

  const adminRoutes: [string, string, unknown?][] = [
    ['POST', '/secapp/apps', { name: 'sneaky' }],
    ['GET', '/secapp/apps'],
    ['POST', '/secapp/apps/listed/rotate'],
    ['DELETE', '/secapp/apps/listed'],
    ['GET', '/secapp/consumers'],
    ['GET', '/secapp/history'],
  ];

  it.each(adminRoutes)(
    '%s %s refuses a missing admin token with 401 saying what to send',
    async (method, path, body) => {
      const answer = await api.http.call(method, path, body);
      expectProblem(answer, 401, /Authorization: Bearer <CRITICALITY_ADMIN_TOKEN>/);
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="secapp-admin"');
    },
  );

  it.each(adminRoutes)('%s %s refuses a wrong admin token with 401', async (method, path, body) => {
    for (const authorization of ['Bearer wrong', `Basic ${ADMIN_B64}`, `Bearer ${SHARED}`]) {
      const answer = await api.http.call(method, path, body, { authorization });
      expectProblem(answer, 401, /admin token is not valid|Authorization: Bearer/);
      expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm="secapp-admin"/);
    }
  });

  it('change nothing when refused', async () => {
    await api.http.call('POST', '/secapp/apps', { name: 'sneaky' }, { authorization: 'Bearer wrong' });
    await api.http.call('DELETE', '/secapp/apps/listed', undefined, { authorization: 'Bearer wrong' });
    const names = (await api.admin('GET', '/secapp/apps')).body.items as { name: string; active: boolean }[];
    expect(names.find((a) => a.name === 'sneaky')).toBeUndefined();
    expect(names.find((a) => a.name === 'listed')?.active).toBe(true);
  });

  it('accept the bearer scheme in any case', async () => {
    const answer = await api.http.call('GET', '/secapp/apps', undefined, {
      authorization: 'bearer dev-admin-token',
    });
    expect(answer.status).toBe(200);
  });
});

const INFO_KEYS = ['active', 'created_at', 'name', 'revoked_at', 'rotated_at'];
const ADMIN_B64 = Buffer.from('admin:dev-admin-token').toString('base64');
