import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NotFoundError } from '../../platform/errors.js';
import type { ServiceContext } from '../../platform/service.js';
import type { ShowcaseConfig } from './config.js';
import { processedUrl } from './videos.keys.js';
import * as videos from './videos.repository.js';
import { renderPage } from './web.page.js';

/**
 * The only files the page serves, by name. A request names a key of this map, never a path, so
 * `..`, an absolute path or an encoded slash cannot reach any other file: they are simply not keys.
 * NUL bytes and invalid UTF-8 never get here: the platform's input guard refuses them with a 400.
 */
const ASSETS: Record<string, string> = {
  'showcase.js': 'application/javascript; charset=utf-8',
  'showcase.css': 'text/css; charset=utf-8',
};

const PageQuery = Type.Object({
  city: Type.Optional(Type.String({ maxLength: 100 })),
});
const AssetParams = Type.Object({ file: Type.String({ maxLength: 100 }) });

// Nothing but our own origin: no CDN, no inline script, so an injected tag could not run either.
const CSP =
  "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

// Pages for people are left out of the OpenAPI document, like /docs and /redoc: it describes the API.
const hide = true;

/** `/showcase/`: the public page, its script and its stylesheet. */
export async function webRoutes(scope: FastifyInstance, { db }: ServiceContext, config: ShowcaseConfig) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const assets = new Map(
    await Promise.all(
      Object.keys(ASSETS).map(
        async (name) => [name, await readFile(new URL(`./web/${name}`, import.meta.url))] as const,
      ),
    ),
  );

  app.get('/showcase', { schema: { hide } }, async (request, reply) => {
    const q = request.url.indexOf('?');
    return reply.redirect(`/showcase/${q < 0 ? '' : request.url.slice(q)}`, 301);
  });

  app.get('/showcase/', { schema: { hide, querystring: PageQuery } }, async (request, reply) => {
    const city = request.query.city?.trim() || undefined;
    const [list, rankings] = await Promise.all([
      videos.publicVideos(db, { page: 1, limit: 24, city }),
      videos.rankings(db, { page: 1, limit: 20, city }),
    ]);
    const html = renderPage({
      city,
      videos: list.map((v) => ({ ...v, processed_url: processedUrl(v.id) })),
      rankings,
      maxUploadMb: Math.floor(config.maxUploadBytes / 1024 / 1024),
    });
    return reply
      .type('text/html; charset=utf-8')
      .headers({ 'content-security-policy': CSP, 'cache-control': 'no-store' })
      .send(html);
  });

  app.get('/showcase/assets/:file', { schema: { hide, params: AssetParams } }, async (request, reply) => {
    const { file } = request.params;
    const body = Object.hasOwn(ASSETS, file) ? assets.get(file) : undefined;
    if (!body) throw new NotFoundError(`No such file of the showcase page: ${file}`);
    // Small files; revalidating each time keeps a deploy from serving yesterday's script.
    return reply.type(ASSETS[file]!).header('cache-control', 'no-cache').send(body);
  });
}
