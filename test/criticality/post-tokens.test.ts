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

describe('a POST with an app of its own token', () => {
  it('is stored with its token only; refused with the shared, a wrong or a revoked one, storing nothing', async () => {
    const registered = await api.admin('POST', '/secapp/apps', { name: 'producer-own' });
    expect(registered.status).toBe(201);
    const own = registered.body.token as string;

    const kept = await api.state('producer-own', 2, '2030-01-01T00:00:00Z', own);
    expect(kept.status).toBe(200);
    expect(kept.body).toEqual({ processed_id: expect.any(Number) });

    // Each refusal carries a later Change_at: stored, it would become the latest state.
    expectProblem(
      await api.state('producer-own', 3, '2030-01-02T00:00:00Z', SHARED),
      401,
      /token of its own/,
    );
    expectProblem(
      await api.state('producer-own', 4, '2030-01-03T00:00:00Z', 'wrong'),
      401,
      'Valor incorrecto del header Token',
    );
    expectProblem(
      await api.state('producer-own', 4, '2030-01-03T00:00:00Z', ''),
      401,
      'Valor incorrecto del header Token',
    );
    expect((await api.admin('DELETE', '/secapp/apps/producer-own')).status).toBeLessThan(300);
    expectProblem(await api.state('producer-own', 5, '2030-01-04T00:00:00Z', own), 401, /revoked/);

    const polled = await api.poll('consumer-own-check');
    expect(polled.body).toEqual({
      current_status: 2,
      status_change_id: kept.body.processed_id,
      Change_at: '2030-01-01T00:00:00Z',
    });
  });

  it('is refused with a token of its own for an app name that has none', async () => {
    expectProblem(
      await api.state('producer-unregistered', 1, '2020-01-01T00:00:00Z', 'not-the-shared-one'),
      401,
    );
  });
});
