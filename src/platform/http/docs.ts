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

// ReDoc ships only as a 2 MB browser bundle whose npm package pulls 85 MB of React peers, so the
// page loads it from its CDN, as FastAPI's /redoc does. Swagger UI at /docs works offline.
const redocPage = (title: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>${title} — ReDoc</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><redoc spec-url="/openapi.json"></redoc>
<script src="https://cdn.redoc.ly/redoc/v2.5.1/bundles/redoc.standalone.js"></script>
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
  },
  { name: 'crucible-docs' },
);
