import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { NotFoundError } from '../../platform/errors.js';
import { sendStored } from '../../platform/http/files.js';
import { problems } from '../../platform/http/schemas.js';
import type { ServiceContext } from '../../platform/service.js';
import { FileParams } from './public.schema.js';
import { originalKey, processedKey } from './videos.keys.js';
import * as videos from './videos.repository.js';

/** The files processed_url and original_url name, streamed with byte ranges so players can seek. */
export async function fileRoutes(scope: FastifyInstance, { db, storage }: ServiceContext) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/videos/:video_id/:file',
    {
      schema: {
        tags: ['showcase: files'],
        summary: 'A video file: the upload as sent, or its processed version; Range requests give 206',
        params: FileParams,
        response: {
          200: {
            description: 'The whole file',
            content: {
              'video/mp4': { schema: { type: 'string', format: 'binary' }, example: '(MP4 bytes)' },
            },
          },
          206: {
            description: 'The byte range asked for',
            content: {
              'video/mp4': { schema: { type: 'string', format: 'binary' }, example: '(MP4 bytes)' },
            },
          },
          ...problems(404, 416),
        },
      },
    },
    async (request, reply) => {
      const { video_id: id, file } = request.params;
      const video = await videos.findVideo(db, id);
      if (!video) throw new NotFoundError('Video not found');
      const processed = file === 'processed.mp4';
      // Only the row says the worker is done; a file without it is not yet (or no longer) served.
      if (processed && !videos.hasProcessed(video.status))
        throw new NotFoundError(`Video is ${video.status}: it has no processed file yet`);
      return sendStored(request, reply, storage, processed ? processedKey(id) : originalKey(id), 'video/mp4');
    },
  );
}
