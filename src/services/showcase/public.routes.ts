import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { principalOf, requireBearer, type BearerTokens } from '../../platform/auth/bearer.js';
import { BadRequestError, NotFoundError } from '../../platform/errors.js';
import { problems } from '../../platform/http/schemas.js';
import type { ServiceContext } from '../../platform/service.js';
import { PublicVideos, PublicVideosQuery, Rankings, RankingsQuery, VoteOut } from './public.schema.js';
import { VideoParams } from './videos.schema.js';
import { processedUrl } from './videos.keys.js';
import * as videos from './videos.repository.js';
import { VIDEO_MESSAGES } from './videos.routes.js';

const tags = ['showcase: public'];

export const VOTE_MESSAGES = {
  voted: 'Vote successfully registered',
  already: 'You have already voted for this video',
  notPublic: 'Video is not public: only published videos take votes',
};

export async function publicRoutes(scope: FastifyInstance, { db }: ServiceContext, tokens: BearerTokens) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  const listOptions = (hide: boolean) => ({
    schema: {
      tags,
      summary: 'Public videos, newest published first, optionally of one city',
      querystring: PublicVideosQuery,
      response: { 200: PublicVideos, ...problems() },
      // The original's clients ask with a trailing slash too; one entry in the document.
      ...(hide ? { hide: true } : {}),
    },
  });
  const list = async (query: { page: number; limit: number; city?: string }) =>
    (await videos.publicVideos(db, query)).map((v) => ({
      ...v,
      uploaded_at: v.uploaded_at.toISOString(),
      processed_url: processedUrl(v.id),
    }));
  app.get('/api/public/videos', listOptions(false), (request) => list(request.query));
  app.get('/api/public/videos/', listOptions(true), (request) => list(request.query));

  app.post(
    '/api/public/videos/:video_id/vote',
    {
      onRequest: requireBearer(tokens),
      schema: {
        tags,
        security: [{ bearer: [] }],
        summary: 'Vote for a public video: one vote per user per video',
        params: VideoParams,
        response: { 200: VoteOut, ...problems(401, 404) },
      },
    },
    async (request) => {
      const outcome = await videos.castVote(db, request.params.video_id, Number(principalOf(request).sub));
      if (outcome === 'missing') throw new NotFoundError(VIDEO_MESSAGES.notFound);
      if (outcome === 'not public') throw new BadRequestError(VOTE_MESSAGES.notPublic);
      if (outcome === 'already') throw new BadRequestError(VOTE_MESSAGES.already);
      return { message: VOTE_MESSAGES.voted };
    },
  );

  app.get(
    '/api/public/rankings',
    {
      schema: {
        tags,
        summary: 'Players by the votes of their public videos, optionally of one city',
        description: 'Equal totals keep the order in which the players signed up.',
        querystring: RankingsQuery,
        response: { 200: Rankings, ...problems() },
      },
    },
    async (request) => videos.rankings(db, request.query),
  );
}
