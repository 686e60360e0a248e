import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { problems } from '../../platform/http/schemas.js';

const Greeting = Type.Object({ message: Type.String({ examples: ['Movie API is working!'] }) });
const GREETING = { message: 'Movie API is working!' };

/** The original's `/`, which its clients call to see the API is up; served when movies runs alone. */
export async function rootRoute(app: FastifyInstance) {
  app.get(
    '/',
    {
      schema: {
        tags: ['movies: catalogue'],
        summary: 'Says the movie API is up',
        response: { 200: Greeting, ...problems() },
      },
    },
    async () => GREETING,
  );
}
