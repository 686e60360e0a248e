import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { criticality } from '../../src/services/criticality/index.js';
import { startTestApp, type TestApp } from '../helpers.js';

interface Media {
  schema?: Record<string, unknown>;
  example?: unknown;
}
interface Operation {
  tags?: string[];
  summary?: string;
  security?: unknown[];
  parameters?: { in: string; name: string; description?: string }[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
}
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
};

let app: TestApp;
let doc: Document;

beforeAll(async () => {
  app = await startTestApp([criticality], {}, { workers: false });
  doc = (await (await fetch(`${app.url}/openapi.json`)).json()) as Document;
});
afterAll(async () => {
  await app?.close();
});

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([, op]) => op.tags?.some((t) => t.startsWith('criticality')))
      .map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as const),
  );

/** An example anywhere in the schema: on the object itself, or on every one of its fields. */
function hasExample(media: Media): boolean {
  if (media.example !== undefined) return true;
  const schema = media.schema ?? {};
  if ('example' in schema || 'examples' in schema) return true;
  const props = Object.values((schema.properties ?? {}) as Record<string, Record<string, unknown>>);
  return props.length > 0 && props.every((p) => 'example' in p || 'examples' in p);
}

describe('the OpenAPI document of criticality', () => {
  it('has every route', () => {
    expect(
      operations()
        .map(([name]) => name)
        .sort(),
    ).toEqual([
      'DELETE /secapp/apps/{name}',
      'GET /secapp/apps',
      'GET /secapp/consumers',
      'GET /secapp/history',
      'GET /secapp/update',
      'POST /secapp/apps',
      'POST /secapp/apps/{name}/rotate',
      'POST /secapp/update',
    ]);
  });

  it('gives every operation a summary, its credentials, and an example of every answer', () => {
    for (const [name, op] of operations()) {
      expect(op.summary, name).toBeTruthy();
      expect(op.security, name).toHaveLength(1);
      for (const [status, response] of Object.entries(op.responses)) {
        const media = Object.values(response.content ?? {});
        expect(media.length, `${name} ${status}`).toBeGreaterThan(0);
        for (const m of media) expect(hasExample(m), `${name} ${status}`).toBe(true);
      }
      for (const m of Object.values(op.requestBody?.content ?? {}))
        expect(hasExample(m), `${name} body`).toBe(true);
    }
  });

  it('lists 401 wherever a token is checked, and the App-name header on /secapp/update', () => {
    for (const [name, op] of operations()) expect(Object.keys(op.responses), name).toContain('401');
    for (const method of ['get', 'post']) {
      const header = doc.paths['/secapp/update']![method]!.parameters?.find(
        (p) => p.in === 'header' && p.name === 'App-name',
      );
      expect(header?.description).toMatch(/Falta el encabezado App-name/);
    }
    expect(Object.keys(doc.components.securitySchemes)).toEqual(
      expect.arrayContaining(['secappToken', 'secappAdmin']),
    );
  });
});
