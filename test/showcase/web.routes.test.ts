import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { showcase } from '../../src/services/showcase/index.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { send } from '../sweep/raw-http.js';

let app: TestApp;
let port: number;

beforeAll(async () => {
  app = await startTestApp([showcase], {}, { workers: false });
  port = Number(new URL(app.url).port);
});
afterAll(async () => {
  await app?.close();
});

/** A request sent byte for byte, so that no client tidies up the path first. */
const raw = (target: string) => send(port, { method: 'GET', target, headers: [] });

describe('the showcase page', () => {
  it('is server-rendered HTML with its labelled forms, loading only its own script and stylesheet', async () => {
    const res = await fetch(`${app.url}/showcase/?city=Bogot%C3%A1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await res.text();
    expect(html).toContain('Public videos in “Bogotá”');
    expect(html).toContain('No ranked players in “Bogotá” yet');
    expect(html).toContain('value="Bogotá"');
    for (const id of ['city', 'in-email', 'in-password', 'up-first', 'up-title', 'up-file'])
      expect(html, id).toMatch(new RegExp(`<label for="${id}">`));
    const links = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(links.filter((l) => /^(https?:)?\/\//.test(l))).toEqual([]);
    for (const asset of ['/showcase/assets/showcase.js', '/showcase/assets/showcase.css']) {
      expect(links).toContain(asset);
      const file = await fetch(`${app.url}${asset}`);
      expect(file.status, asset).toBe(200);
      expect(file.headers.get('content-type'), asset).toMatch(/javascript|css/);
    }
  });

  it('ignores a query parameter it does not know, and an empty city means every city', async () => {
    const res = await fetch(`${app.url}/showcase/?utm_source=poster&city=`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<h2 id="videos-heading">Public videos</h2>');
  });

  it('escapes what a visitor typed into the filter', async () => {
    const html = await (await fetch(`${app.url}/showcase/?city=%22%3E%3Cscript%3Ex%3C/script%3E`)).text();
    expect(html).not.toContain('<script>x');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
  });

  it('sends /showcase to /showcase/ with its query, and is linked from the index', async () => {
    const res = await fetch(`${app.url}/showcase?city=cali`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/showcase/?city=cali');
    const index = await fetch(`${app.url}/`, { headers: { accept: 'text/html' } });
    expect(await index.text()).toContain('<a href="/showcase/">');
  });

  it('is left out of the OpenAPI document, like /docs', async () => {
    const doc = (await (await fetch(`${app.url}/openapi.json`)).json()) as { paths: object };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/showcase'))).toEqual([]);
  });

  it.each([
    ['/showcase/assets/..%2F..%2Fpackage.json', 404],
    ['/showcase/assets/..%2fweb.routes.ts', 404],
    ['/showcase/assets/%2Fetc%2Fpasswd', 404],
    ['/showcase/assets/showcase.js%00', 400],
    ['/showcase/assets/%FF.js', 400],
    ['/showcase/assets/nothing.css', 404],
    [`/showcase/assets/${'a'.repeat(150)}`, 400],
    [`/showcase/?city=${'x'.repeat(101)}`, 400],
    ['/showcase/?city=%00', 400],
    ['/showcase/?city=%C3', 400],
  ])('refuses %s with a %i problem', async (target, status) => {
    const res = await raw(target);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.body.toString()).detail).toBeTruthy();
  });

  it('does not reach past its folder through a literal ../ either', async () => {
    const res = await raw('/showcase/assets/../../../package.json');
    expect(res.status).toBe(404);
    expect(res.body.toString()).not.toContain('"name": "crucible"');
  });
});
