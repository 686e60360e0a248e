import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moviesApp, type MoviesApp } from './fixtures.js';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
let m: MoviesApp;
let doc: {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};

beforeAll(async () => {
  m = await moviesApp();
  doc = (await m.http.get('/openapi.json')).body;
});
afterAll(async () => {
  await m?.close();
});

describe('the movies OpenAPI document', () => {
  it('lists every route with the statuses it can answer', () => {
    const statuses = (path: string, method: string) =>
      Object.keys(doc.paths[path]![method]!.responses).sort();
    expect(statuses('/movie', 'post')).toEqual(['201', '400', '413', '415', '422', '431', '500', '503']);
    expect(statuses('/movie', 'get')).toEqual(['200', '400', '431', '500', '503']);
    expect(statuses('/movie/{id}', 'get')).toEqual(['200', '400', '404', '431', '500', '503']);
    expect(statuses('/movie/{id}', 'delete')).toEqual(['200', '400', '404', '431', '500', '503']);
    expect(statuses('/users', 'post')).toEqual(['201', '400', '413', '415', '431', '500', '503']);
    expect(statuses('/users/{id}', 'get')).toEqual(['200', '400', '404', '431', '500', '503']);
    expect(statuses('/users/{id}/ratings/{movie_id}', 'put')).toEqual([
      '200',
      '400',
      '404',
      '413',
      '415',
      '431',
      '500',
      '503',
    ]);
    expect(statuses('/', 'get')).toContain('200');
  });

  it('answers every error as a problem, and gives examples of its bodies', () => {
    for (const item of Object.values(doc.paths)) {
      for (const op of Object.values(item)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) >= 400)
            expect(Object.keys(response.content ?? {})).toEqual(['application/problem+json']);
        }
      }
    }
    const text = JSON.stringify(doc);
    expect(text).toContain('"example":"The Matrix"');
    expect(text).toContain('"example":"SciFi"');
    expect(text).toContain('"example":4');
  });
});
