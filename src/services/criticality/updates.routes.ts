import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { problems } from '../../platform/http/schemas.js';
import { appNameOf, tokenOf } from './auth.js';
import { AppHeaders, Delivery, Processed, StateChange } from './updates.schema.js';
import type { UpdatesService } from './updates.service.js';

const tags = ['criticality: updates'];
const security = [{ secappToken: [] }];

export async function updateRoutes(scope: FastifyInstance, service: UpdatesService) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/secapp/update',
    {
      schema: {
        tags,
        summary: 'Publish the current criticality level',
        description:
          'Every POST is kept and numbered. It becomes the latest state when its (Change_at, processed_id) is the greatest: ' +
          'an older Change_at stays in the history only; on an equal Change_at the later POST wins. ' +
          'As in the original (FastAPI), the body is checked first (422), then the token (401), then App-name (400).',
        security,
        headers: AppHeaders,
        body: StateChange,
        response: { 200: Processed, ...problems(401, 413, 415, 422) },
      },
    },
    async (request) =>
      service.publish({ appName: appNameOf(request), token: tokenOf(request) }, request.body),
  );

  app.get(
    '/secapp/update',
    {
      schema: {
        tags,
        summary: 'Poll for the latest state: given once to each app, then {}',
        description:
          'The check and the mark are one statement in PostgreSQL: concurrent polls of one app, on any number of ' +
          'instances, are given a state once. Each poll also counts as a sign of life for the stale-consumer alert.',
        security,
        headers: AppHeaders,
        response: { 200: Delivery, ...problems(401) },
      },
    },
    async (request) => service.poll({ appName: appNameOf(request), token: tokenOf(request) }),
  );
}
