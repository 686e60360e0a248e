import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NotFoundError } from '../../platform/errors.js';
import { problems } from '../../platform/http/schemas.js';
import type { ServiceContext } from '../../platform/service.js';
import { IdParams } from './ids.schema.js';
import { throwSchemaFault } from './schema-fault.js';
import * as repo from './users.repository.js';
import { UserCreate } from './users.schema.js';

const tags = ['movies: users and ratings'];
export const USER_NOT_FOUND = 'User not found';

export async function userRoutes(scope: FastifyInstance, { db }: ServiceContext) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/users',
    {
      attachValidation: true,
      schema: {
        tags,
        summary: 'Register a user who rates movies',
        body: UserCreate,
        response: { 201: Type.Ref('MovieUser'), ...problems(400, 413, 415) },
      },
    },
    async (request, reply) => {
      throwSchemaFault(request);
      return reply.code(201).send(await repo.insertUser(db, request.body));
    },
  );

  app.get(
    '/users/:id',
    {
      attachValidation: true,
      schema: {
        tags,
        summary: 'One user',
        params: IdParams,
        response: { 200: Type.Ref('MovieUser'), ...problems(400, 404) },
      },
    },
    async (request) => {
      throwSchemaFault(request);
      const user = await repo.findUser(db, request.params.id);
      if (!user) throw new NotFoundError(USER_NOT_FOUND);
      return user;
    },
  );
}
