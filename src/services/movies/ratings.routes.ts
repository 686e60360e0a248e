import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NotFoundError } from '../../platform/errors.js';
import { problems } from '../../platform/http/schemas.js';
import type { ServiceContext } from '../../platform/service.js';
import { MOVIE_NOT_FOUND } from './movies.routes.js';
import * as repo from './ratings.repository.js';
import { RatingParams, RatingWrite } from './ratings.schema.js';
import { throwSchemaFault } from './schema-fault.js';
import type { Suggestions } from './suggest/suggestions.js';
import { USER_NOT_FOUND } from './users.routes.js';

const tags = ['movies: users and ratings'];

export async function ratingRoutes(scope: FastifyInstance, { db }: ServiceContext, suggestions: Suggestions) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.put(
    '/users/:id/ratings/:movie_id',
    {
      attachValidation: true,
      schema: {
        tags,
        summary: "Set the user's score for a movie, replacing an earlier one",
        params: RatingParams,
        body: RatingWrite,
        response: { 200: Type.Ref('Rating'), ...problems(400, 404, 413, 415) },
      },
    },
    async (request) => {
      throwSchemaFault(request);
      const { id, movie_id } = request.params;
      const outcome = await repo.upsertRating(db, id, movie_id, request.body.score);
      if (outcome === 'no user') throw new NotFoundError(USER_NOT_FOUND);
      if (outcome === 'no movie') throw new NotFoundError(MOVIE_NOT_FOUND);
      suggestions.forgetUser(id);
      return outcome;
    },
  );
}
