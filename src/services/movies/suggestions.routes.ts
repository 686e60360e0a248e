import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { markStale } from '../../platform/db/last-good.js';
import { BadRequestError, NotFoundError } from '../../platform/errors.js';
import { problems } from '../../platform/http/schemas.js';
import type { ServiceContext } from '../../platform/service.js';
import { INVALID_GENRE, toGenre } from './genres.js';
import { IdParams } from './ids.schema.js';
import { findMovie } from './movies.repository.js';
import { MOVIE_NOT_FOUND } from './movies.routes.js';
import { throwSchemaFault } from './schema-fault.js';
import { STALE_READ } from './stale-read.js';
import type { Suggestions } from './suggest/suggestions.js';
import { RecommendationQuery, SimilarQuery } from './suggestions.schema.js';
import { USER_NOT_FOUND } from './users.routes.js';

const tags = ['movies: suggestions'];

/**
 * The JSON of each answer, made once with the route's own serializer: an answer is the same
 * array until the user's ratings or the build change, so a repeated request skips the
 * serialization of its ten movies (a tenth of the request's cost). Dropped with the answer.
 */
const bodies = new WeakMap<readonly unknown[], string>();

export async function suggestionRoutes(
  scope: FastifyInstance,
  { db }: ServiceContext,
  suggestions: Suggestions,
) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/users/:id/recommendations',
    {
      attachValidation: true,
      // The assignment's logged endpoint: one line per request in logs/log_dd_mm_yyyy.log.
      config: { requestLog: { user: (request) => (request.params as { id?: unknown }).id?.toString() } },
      schema: {
        tags,
        summary: 'Movies for this user, from their ratings; the most popular for a user with none',
        description:
          'Item-item collaborative filtering over the latest model build, blended with the genres and ' +
          'eras the user rates well; movies the user rated are left out. ' +
          STALE_READ,
        params: IdParams,
        querystring: RecommendationQuery,
        response: { 200: Type.Array(Type.Ref('Recommendation')), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      throwSchemaFault(request);
      const { limit, genre: given } = request.query;
      const genre = given === undefined ? undefined : toGenre(given);
      if (given !== undefined && !genre) throw new BadRequestError(INVALID_GENRE);
      const read = await suggestions.forUser(request.params.id, { limit, genre });
      if (!read.value) throw new NotFoundError(USER_NOT_FOUND);
      markStale(reply, read);
      let body = bodies.get(read.value);
      // The route's serializer answers a string; the typed reply would take only the array.
      if (body === undefined) bodies.set(read.value, (body = reply.serialize(read.value) as string));
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(body);
    },
  );

  app.get(
    '/movie/:id/similar',
    {
      attachValidation: true,
      schema: {
        tags,
        summary: 'Movies rated like this one by the same users',
        description:
          'Its nearest neighbours in the latest model build (adjusted cosine over co-ratings); a movie ' +
          'too new or too rarely rated to have any answers an empty list.',
        params: IdParams,
        querystring: SimilarQuery,
        response: { 200: Type.Array(Type.Ref('SimilarMovie')), ...problems(400, 404) },
      },
    },
    async (request) => {
      throwSchemaFault(request);
      const { id } = request.params;
      const similar = suggestions.similar(id, request.query.limit);
      if (similar) return similar;
      // Not yet in this instance's catalogue: perhaps added elsewhere since its last look.
      if (await findMovie(db, id)) return [];
      throw new NotFoundError(MOVIE_NOT_FOUND);
    },
  );
}
