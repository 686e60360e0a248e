import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { SecurityScheme } from '../service.js';

export interface DocsOptions {
  title: string;
  description: string;
  version: string;
  securitySchemes: Record<string, SecurityScheme>;
}

// The page loads ReDoc's standalone bundle from our own npm copy, never a CDN: the product must
// work offline, and FastAPI users expect /redoc beside /docs.
const redocBundle = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');

const redocPage = (title: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>${title} — ReDoc</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><redoc spec-url="/openapi.json"></redoc>
<script src="/redoc/redoc.standalone.js"></script>
</body></html>`;

/** OpenAPI 3 at /openapi.json, Swagger UI at /docs, ReDoc at /redoc. */
export const docsPlugin = fp(
  async (app: FastifyInstance, opts: DocsOptions) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: { title: opts.title, description: opts.description, version: opts.version },
        components: { securitySchemes: opts.securitySchemes },
      },
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    app.get('/redoc', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(redocPage(opts.title)),
    );
    let bundle: Promise<Buffer> | undefined;
    app.get('/redoc/redoc.standalone.js', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('application/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=86400')
        .send(await (bundle ??= readFile(redocBundle))),
    );
  },
  { name: 'crucible-docs' },
);
