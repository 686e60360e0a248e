import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { criticality } from '../../src/services/criticality/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { expectProblem, secapp, SHARED, type Secapp } from './fixtures.js';

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

describe('the original test suite (test_secapp.py)', () => {
  it('test_first_request: a poll before any state is {}', async () => {
    const answer = await api.poll('secapp01');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({});
  });

  it('test_escenario_1: a POST answers its processed_id', async () => {
    const answer = await api.state('secapp01', 5, '2017-07-21T17:32:28Z');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ processed_id: expect.any(Number) });
  });

  it('test_escenario_2: a POST, then another app polls and is given that state', async () => {
    const posted = await api.state('secapp01', 5, '2018-07-21T17:32:28Z');
    const answer = await api.poll('secapp02');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      current_status: 5,
      status_change_id: posted.body.processed_id,
      Change_at: '2018-07-21T17:32:28Z',
    });
  });

  it('test_escenario_3: the same app polling again is given {}', async () => {
    const posted = await api.state('secapp01', 5, '2019-07-21T17:32:28Z');
    const first = await api.poll('secapp02');
    expect(first.body).toEqual({
      current_status: 5,
      status_change_id: posted.body.processed_id,
      Change_at: '2019-07-21T17:32:28Z',
    });
    const again = await api.poll('secapp02');
    expect(again.status).toBe(200);
    expect(again.body).toEqual({});
  });
});

describe('the latest state', () => {
  it('processed_ids increase over every POST, from any app', async () => {
    const ids = [];
    for (const name of ['p1', 'p2', 'p1'])
      ids.push((await api.state(name, 1, '2020-01-01T00:00:00Z')).body.processed_id);
    expect(ids[1]).toBeGreaterThan(ids[0]);
    expect(ids[2]).toBeGreaterThan(ids[1]);
  });

  it('on an equal Change_at the later POST wins', async () => {
    await api.poll('tie-reader');
    const first = await api.state('p1', 2, '2030-01-01T00:00:00Z');
    const second = await api.state('p2', 3, '2030-01-01T00:00:00Z');
    expect(second.body.processed_id).toBeGreaterThan(first.body.processed_id);
    expect((await api.poll('tie-reader')).body).toEqual({
      current_status: 3,
      status_change_id: second.body.processed_id,
      Change_at: '2030-01-01T00:00:00Z',
    });
  });

  it('an older Change_at is numbered and kept, but never becomes the latest', async () => {
    await api.poll('late-reader');
    const older = await api.state('p1', 4, '2029-01-01T00:00:00Z');
    expect(older.status).toBe(200);
    expect(older.body.processed_id).toEqual(expect.any(Number));
    expect((await api.poll('late-reader')).body).toEqual({});
    // A newcomer is given the latest, not the last POSTed.
    expect((await api.poll('newcomer')).body).toMatchObject({ current_status: 3 });
    const history = await api.admin('GET', `/secapp/history?app=p1&limit=1000`);
    expect(history.body.items.map((i: { processed_id: number }) => i.processed_id)).toContain(
      older.body.processed_id,
    );
  });

  it('a new latest state is given again to an app that had the previous one', async () => {
    await api.poll('follower');
    const next = await api.state('p1', 1, '2031-01-01T00:00:00Z');
    expect((await api.poll('follower')).body.status_change_id).toBe(next.body.processed_id);
    expect((await api.poll('follower')).body).toEqual({});
  });
});

describe('Change_at', () => {
  const latest = async (sent: string) => {
    // Far in the future, so each becomes the latest in turn.
    await api.state('dates', 1, sent);
    return (await api.poll(`reader-${sent}`)).body.Change_at as string;
  };

  it('normalises offsets to UTC and takes a time with no offset as UTC', async () => {
    expect(await latest('2040-01-01T10:00:00-03:00')).toBe('2040-01-01T13:00:00Z');
    expect(await latest('2040-01-02T10:00:00+0530')).toBe('2040-01-02T04:30:00Z');
    expect(await latest('2040-01-03T10:00:00')).toBe('2040-01-03T10:00:00Z');
    expect(await latest('2040-01-04 10:00')).toBe('2040-01-04T10:00:00Z');
    expect(await latest('20400105T100000Z')).toBe('2040-01-05T10:00:00Z');
  });

  it('keeps fractional seconds only when sent, to the microsecond', async () => {
    expect(await latest('2041-01-01T00:00:00.5Z')).toBe('2041-01-01T00:00:00.5Z');
    expect(await latest('2041-01-02T00:00:00.123456789+01:00')).toBe('2041-01-01T23:00:00.123456Z');
  });

  it('orders by the instant, whatever the offset it was sent with', async () => {
    await api.poll('instant-reader');
    const later = await api.state('p1', 7, '2050-06-01T12:00:00+02:00'); // 10:00 UTC
    await api.state('p1', 8, '2050-06-01T11:00:00-00:00'); // 11:00 UTC: later still
    await api.state('p1', 9, '2050-06-01T09:00:00Z'); // older
    expect(later.status).toBe(200);
    expect((await api.poll('instant-reader')).body).toMatchObject({
      current_status: 8,
      Change_at: '2050-06-01T11:00:00Z',
    });
  });

  it.each([
    ['not a date', 'yesterday'],
    ['a date only', '2017-07-21'],
    ['month 13', '2017-13-01T00:00:00Z'],
    ['February 30', '2017-02-30T00:00:00Z'],
    ['hour 24', '2017-07-21T24:00:00Z'],
    ['an offset of 25 hours', '2017-07-21T17:32:28+25:00'],
    ['year 10000 in UTC', '9999-12-31T23:00:00-02:00'],
    ['year 0', '0000-06-01T00:00:00Z'],
  ])('refuses %s with a 422 naming Change_at, and stores nothing', async (_label, value) => {
    const before = await api.admin('GET', '/secapp/history?limit=1');
    const answer = await api.post('p1', { current_status: 1, Change_at: value });
    expectProblem(answer, 422, /Change_at/);
    expect((await api.admin('GET', '/secapp/history?limit=1')).body).toEqual(before.body);
  });
});

describe('bodies and headers', () => {
  it.each([
    ['no body', undefined],
    ['current_status missing', { Change_at: '2017-07-21T17:32:28Z' }],
    ['Change_at missing', { current_status: 1 }],
    ['current_status as text', { current_status: '5', Change_at: '2017-07-21T17:32:28Z' }],
    ['current_status fractional', { current_status: 1.5, Change_at: '2017-07-21T17:32:28Z' }],
    ['current_status beyond 32 bits', { current_status: 2 ** 31, Change_at: '2017-07-21T17:32:28Z' }],
    ['Change_at as a number', { current_status: 1, Change_at: 1500658348 }],
    ['an unknown field', { current_status: 1, Change_at: '2017-07-21T17:32:28Z', extra: 1 }],
    ['an array', [1]],
  ])('refuses %s with 422, as FastAPI did', async (_label, body) => {
    const answer = await api.http.call('POST', '/secapp/update', body ?? '', {
      'App-name': 'p1',
      token: SHARED,
      'content-type': 'application/json',
    });
    expect(answer.status).toBe(body === undefined ? 400 : 422);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(answer.body.detail).toEqual(expect.any(String));
  });

  it('refuses a body that is not JSON with 415', async () => {
    const answer = await api.http.call('POST', '/secapp/update', 'current_status=1', {
      'App-name': 'p1',
      token: SHARED,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expectProblem(answer, 415, /application\/json/);
  });

  it('answers a missing or empty token with 401, the original detail and a challenge', async () => {
    for (const token of [null, '', '   ']) {
      const get = await api.poll('secapp01', token);
      expectProblem(get, 401, /^Valor incorrecto del API Token$/);
      expect(get.headers['www-authenticate']).toMatch(/header="token"/);
      const post = await api.state('secapp01', 1, '2017-07-21T17:32:28Z', token);
      expectProblem(post, 401, /^Valor incorrecto del header Token$/);
    }
  });

  it('answers a wrong token with 401 whether or not App-name is there', async () => {
    expectProblem(await api.poll('secapp01', 'wrong'), 401, /Valor incorrecto/);
    expectProblem(await api.poll(undefined, 'wrong'), 401, /Valor incorrecto/);
    expectProblem(
      await api.post(undefined, { current_status: 1, Change_at: '2017-07-21T17:32:28Z' }, 'wrong'),
      401,
      /Valor incorrecto/,
    );
  });

  it('answers a missing or empty App-name with the right token with 400, the original detail', async () => {
    for (const name of [undefined, '', '  ']) {
      expectProblem(await api.poll(name), 400, /^Falta el encabezado App-name$/);
      expectProblem(
        await api.post(name, { current_status: 1, Change_at: '2017-07-21T17:32:28Z' }),
        400,
        /^Falta el encabezado App-name$/,
      );
    }
  });

  it('refuses an App-name over 255 characters with 400', async () => {
    expectProblem(await api.poll('a'.repeat(256)), 400, /App-name/);
  });

  it('reads the headers whatever their case, and App_name as the original consumer spelled it', async () => {
    await api.state('p1', 2, '2060-01-01T00:00:00Z');
    const upper = await api.http.call('GET', '/secapp/update', undefined, {
      'APP-NAME': 'cased',
      TOKEN: SHARED,
    });
    expect(upper.body).toMatchObject({ current_status: 2 });
    const underscore = await api.http.call('GET', '/secapp/update', undefined, {
      App_name: 'underscored',
      token: SHARED,
    });
    expect(underscore.body).toMatchObject({ current_status: 2 });
    expect(
      (await api.http.call('GET', '/secapp/update', undefined, { app_name: 'underscored', token: SHARED }))
        .body,
    ).toEqual({});
  });
});
