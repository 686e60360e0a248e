import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { problems } from './schemas.js';

interface IndexOptions {
  services: { name: string; title: string; description: string; page?: string }[];
  version: string;
}

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

const IndexBody = Type.Object({
  name: Type.String(),
  version: Type.String(),
  docs: Type.String(),
  services: Type.Array(
    Type.Object({
      name: Type.String(),
      title: Type.String(),
      description: Type.String(),
      page: Type.Optional(Type.String({ description: "The path of the service's web page" })),
    }),
  ),
});

/** `/` of the combined server: HTML for a browser, JSON for everyone else. */
export async function indexRoute(app: FastifyInstance, opts: IndexOptions) {
  const body = { name: 'crucible', version: opts.version, docs: '/docs', services: opts.services };
  app.get(
    '/',
    {
      schema: {
        tags: ['platform'],
        summary: 'The services this server runs',
        response: { 200: IndexBody, ...problems() },
      },
    },
    async (request, reply) => {
      if (!request.headers.accept?.includes('text/html')) return body;
      const items = opts.services
        .map(
          (s) =>
            `<li><strong>${escape(s.title)}</strong> (<code>${s.name}</code>) — ${escape(s.description)}` +
            (s.page ? ` <a href="${escape(s.page)}">Open its page</a>` : '') +
            `</li>`,
        )
        .join('');
      return reply
        .type('text/html; charset=utf-8')
        .send(
          `<!doctype html><html><head><meta charset="utf-8"><title>Crucible</title></head><body>` +
            `<h1>Crucible ${escape(opts.version)}</h1><ul>${items}</ul>` +
            `<p>API docs: <a href="/docs">Swagger UI</a> · <a href="/redoc">ReDoc</a> · <a href="/openapi.json">OpenAPI</a></p>` +
            `</body></html>`,
        );
    },
  );
}
