import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/platform/config.js';
import { showcaseConfig } from '../../src/services/showcase/config.js';
import { showcase } from '../../src/services/showcase/index.js';
import { startTestApp, type TestApp } from '../helpers.js';

interface Media {
  schema?: Record<string, unknown>;
  example?: unknown;
}
interface Operation {
  tags?: string[];
  summary?: string;
  security?: unknown[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
}

let app: TestApp;
let paths: Record<string, Record<string, Operation>>;

beforeAll(async () => {
  app = await startTestApp([showcase], {}, { workers: false });
  paths = ((await (await fetch(`${app.url}/openapi.json`)).json()) as { paths: typeof paths }).paths;
});
afterAll(async () => {
  await app?.close();
});

const operations = () =>
  Object.entries(paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([, op]) => op.tags?.some((t) => t.startsWith('showcase')))
      .map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as const),
  );

function hasExample(media: Media): boolean {
  if (media.example !== undefined) return true;
  const schema = media.schema ?? {};
  if ('example' in schema || 'examples' in schema) return true;
  const props = Object.values((schema.properties ?? {}) as Record<string, Record<string, unknown>>);
  return props.length > 0 && props.every((p) => 'example' in p || 'examples' in p);
}

describe('the OpenAPI document of showcase', () => {
  it('has every route of the contract, the trailing-slash alias once', () => {
    expect(
      operations()
        .map(([name]) => name)
        .sort(),
    ).toEqual([
      'DELETE /api/videos/{video_id}',
      'GET /api/public/rankings',
      'GET /api/public/videos',
      'GET /api/videos',
      'GET /api/videos/{video_id}',
      'GET /videos/{video_id}/{file}',
      'POST /api/auth/login',
      'POST /api/auth/signup',
      'POST /api/public/videos/{video_id}/vote',
      'POST /api/videos/upload',
      'POST /api/videos/{video_id}/publish',
    ]);
  });

  it('gives every operation a summary and an example of every answer; bearer routes list 401', () => {
    for (const [name, op] of operations()) {
      expect(op.summary, name).toBeTruthy();
      if (op.security) expect(Object.keys(op.responses), name).toContain('401');
      for (const [status, response] of Object.entries(op.responses)) {
        const media = Object.values(response.content ?? {});
        expect(media.length, `${name} ${status}`).toBeGreaterThan(0);
        for (const m of media) expect(hasExample(m), `${name} ${status}`).toBe(true);
      }
    }
  });
});

describe('the settings', () => {
  it('default to the original: 100 MiB uploads, one-hour tokens', () => {
    expect(showcaseConfig({})).toMatchObject({
      maxUploadBytes: 100 * 1024 * 1024,
      tokenTtlSeconds: 3600,
      jwtSecret: undefined,
    });
  });

  it('refuse a short token key and a bad limit, naming the variable', () => {
    expect(() => showcaseConfig({ SHOWCASE_JWT_SECRET: 'short' })).toThrow(ConfigError);
    expect(() => showcaseConfig({ SHOWCASE_MAX_UPLOAD_MB: '0' })).toThrow(/SHOWCASE_MAX_UPLOAD_MB/);
  });
});
