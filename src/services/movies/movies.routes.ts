import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { LastGood, markStale } from '../../platform/db/last-good.js';
import { BadRequestError, NotFoundError } from '../../platform/errors.js';
import { problems } from '../../platform/http/schemas.js';
import type { ServiceContext } from '../../platform/service.js';
import { INVALID_GENRE, toGenre } from './genres.js';
import { IdParams } from './ids.schema.js';
import * as repo from './movies.repository.js';
import { STALE_READ } from './stale-read.js';
import type { Suggestions } from './suggest/suggestions.js';
import { MovieCreate, MovieQuery, type Movie } from './movies.schema.js';

const tags = ['movies: catalogue'];
export const MOVIE_NOT_FOUND = 'Movie not found';

export async function movieRoutes(scope: FastifyInstance, { db }: ServiceContext, suggestions: Suggestions) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const pages = new LastGood<Movie[]>({ max: 1_000 });
  const movies = new LastGood<Movie | undefined>({ max: 100_000 });

  app.post(
    '/movie',
    {
      schema: {
        tags,
        summary: 'Add a movie',
        description:
          'The genre is taken in any case and stored lowercase. An unknown genre is a 400 naming the ' +
          'valid ones; a body of the wrong shape is a 422, as the original (FastAPI) answered.',
        body: MovieCreate,
        response: { 201: Type.Ref('Movie'), ...problems(400, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const genre = toGenre(request.body.genre);
      if (!genre) throw new BadRequestError(INVALID_GENRE);
      return reply.code(201).send(await repo.insertMovie(db, { ...request.body, genre }));
    },
  );

  app.get(
    '/movie',
    {
      schema: {
        tags,
        summary: 'Movies in the order they were added',
        description: STALE_READ,
        querystring: MovieQuery,
        response: { 200: Type.Array(Type.Ref('Movie')), ...problems(400) },
      },
    },
    async (request, reply) => {
      const { offset, limit } = request.query;
      const read = await pages.read(`${offset}:${limit}`, () => repo.listMovies(db, offset, limit));
      markStale(reply, read);
      return read.value;
    },
  );

  app.get(
    '/movie/:id',
    {
      schema: {
        tags,
        summary: 'One movie',
        description: STALE_READ,
        params: IdParams,
        response: { 200: Type.Ref('Movie'), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const read = await movies.read(String(id), () => repo.findMovie(db, id));
      if (!read.value) throw new NotFoundError(MOVIE_NOT_FOUND);
      markStale(reply, read);
      return read.value;
    },
  );

  app.delete(
    '/movie/:id',
    {
      schema: {
        tags,
        summary: 'Delete a movie and its ratings; answers the movie deleted',
        params: IdParams,
        response: { 200: Type.Ref('Movie'), ...problems(400, 404) },
      },
    },
    async (request) => {
      const movie = await repo.deleteMovie(db, request.params.id);
      if (!movie) throw new NotFoundError(MOVIE_NOT_FOUND);
      suggestions.forgetMovie(movie.id);
      return movie;
    },
  );
}
