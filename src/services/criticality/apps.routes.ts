import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ConflictError, NotFoundError } from '../../platform/errors.js';
import { problems } from '../../platform/http/schemas.js';
import type { ServiceContext } from '../../platform/service.js';
import * as repo from './apps.repository.js';
import { AppCreate, AppList, AppParams, AppInfo, AppWithToken } from './apps.schema.js';
import { newAppToken, requireAdmin, tokenDigest } from './auth.js';

const tags = ['criticality: apps'];
const security = [{ secappAdmin: [] }];

export async function appRoutes(scope: FastifyInstance, { db }: ServiceContext, adminToken: string) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  // Before the body is even read: a caller without the admin token learns nothing of the rules.
  const onRequest = requireAdmin(adminToken);
  const unknown = (name: string) => new NotFoundError(`No app named ${name} is registered`);

  app.post(
    '/secapp/apps',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Register an app with a token of its own (shown once)',
        description:
          'From then on only this token is accepted for the app name; the shared token no longer is. ' +
          'A revoked app can be registered again, with a new token.',
        body: AppCreate,
        response: { 201: AppWithToken, ...problems(401, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const token = newAppToken();
      const info = await repo.registerApp(db, request.body.name, tokenDigest(token));
      if (!info)
        throw new ConflictError(`App ${request.body.name} is already registered; rotate its token instead`);
      return reply.code(201).send({ ...info, token });
    },
  );

  app.get(
    '/secapp/apps',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Registered apps (never their tokens)',
        response: { 200: AppList, ...problems(401) },
      },
    },
    async () => ({ items: await repo.listApps(db) }),
  );

  app.post(
    '/secapp/apps/:name/rotate',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Give an app a new token (shown once); the old one stops working at once',
        params: AppParams,
        response: { 200: AppWithToken, ...problems(401, 404, 409) },
      },
    },
    async (request) => {
      const { name } = request.params;
      const token = newAppToken();
      const info = await repo.rotateApp(db, name, tokenDigest(token));
      if (info) return { ...info, token };
      if (await repo.findAppInfo(db, name))
        throw new ConflictError(`App ${name} is revoked; register it again for a new token`);
      throw unknown(name);
    },
  );

  app.delete(
    '/secapp/apps/:name',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Revoke an app: its name is refused with any token until it is registered again',
        params: AppParams,
        response: { 200: AppInfo, ...problems(401, 404) },
      },
    },
    async (request) => {
      const info = await repo.revokeApp(db, request.params.name);
      if (!info) throw unknown(request.params.name);
      return info;
    },
  );
}
