import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { LastGood, markStale } from '../../platform/db/last-good.js';
import { NotFoundError } from '../../platform/errors.js';
import { problems } from '../../platform/http/schemas.js';
import type { ServiceContext } from '../../platform/service.js';
import { IdParams } from './ids.schema.js';
import { throwSchemaFault } from './schema-fault.js';
import { STALE_READ } from './stale-read.js';
import * as repo from './users.repository.js';
import { UserCreate, type User } from './users.schema.js';

const tags = ['movies: users and ratings'];
export const USER_NOT_FOUND = 'User not found';

export async function userRoutes(scope: FastifyInstance, { db }: ServiceContext) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const users = new LastGood<User | undefined>({ max: 100_000 });

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
        description: STALE_READ,
        params: IdParams,
        response: { 200: Type.Ref('MovieUser'), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      throwSchemaFault(request);
      const { id } = request.params;
      const read = await users.read(String(id), () => repo.findUser(db, id));
      if (!read.value) throw new NotFoundError(USER_NOT_FOUND);
      markStale(reply, read);
      return read.value;
    },
  );
}
