import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { principalOf, requireBearer, type BearerTokens } from '../../platform/auth/bearer.js';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnprocessableError,
} from '../../platform/errors.js';
import { problems } from '../../platform/http/schemas.js';
import { acceptUploads, receiveUpload, uploadBody } from '../../platform/http/uploads.js';
import type { ServiceContext } from '../../platform/service.js';
import type { ShowcaseConfig } from './config.js';
import { checkMp4Boxes, checkMp4Head } from './mp4.js';
import * as videos from './videos.repository.js';
import { DeletedOut, PublishedOut, UploadOut, VideoDetail, VideoList, VideoParams } from './videos.schema.js';
import { originalKey, originalUrl, PROCESS_QUEUE, processedKey, type ProcessJob } from './videos.keys.js';

const tags = ['showcase: videos'];
const security = [{ bearer: [] }];

export const VIDEO_MESSAGES = {
  uploaded: 'Video subido exitosamente. Tarea creada.',
  deleted: 'El video ha sido eliminado exitosamente.',
  published: 'El video ha sido publicado exitosamente.',
  notFound: 'Video not found',
  notOwner: 'You are not authorized',
  isPublic: 'Video is public',
  notProcessed: 'Video is not processed yet: it can be published once its status is processed',
};

const MAX_TITLE = 255;

/** The title as a form field: busboy hands any text over, so its rules are checked here. */
function checkTitle(raw: string | undefined): string {
  const title = (raw ?? '').normalize('NFC').trim();
  if (!title) throw new UnprocessableError('body.title must not be empty');
  if (title.length > MAX_TITLE)
    throw new UnprocessableError(`body.title is longer than ${MAX_TITLE} characters`);
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(title))
    throw new UnprocessableError('body.title holds a control character');
  return title;
}

export async function videoRoutes(
  scope: FastifyInstance,
  ctx: ServiceContext,
  tokens: BearerTokens,
  config: ShowcaseConfig,
) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { db, storage } = ctx;
  // Before the body is read: a caller without a token streams nothing into storage.
  const onRequest = requireBearer(tokens);
  const userOf = (request: Parameters<typeof principalOf>[0]) => Number(principalOf(request).sub);

  /** The caller's own video, or the 404 or 403 the original answered. */
  const ownVideo = async (id: string, userId: number, opts: { lock?: boolean; db?: typeof db } = {}) => {
    const video = await videos.findVideo(opts.db ?? db, id, opts);
    if (!video) throw new NotFoundError(VIDEO_MESSAGES.notFound);
    if (video.owner_id !== userId) throw new ForbiddenError(VIDEO_MESSAGES.notOwner);
    return video;
  };

  const UPLOAD = { file: 'video_file', fields: ['title'], maxBytes: config.maxUploadBytes };
  // Multipart for this route alone: every other route keeps answering 415 to a form.
  await app.register(async (child) => {
    await acceptUploads(child);
    child.post(
      '/api/videos/upload',
      {
        onRequest,
        schema: {
          tags,
          security,
          summary: 'Upload an MP4 video; its processing job is queued with it',
          description:
            'multipart/form-data with video_file (an MP4, checked by its bytes) and title. The answer comes at once; ' +
            'GET /api/videos/{video_id} shows the processing status.',
          body: uploadBody(UPLOAD, 'an MP4 video'),
          response: { 201: UploadOut, ...problems(401, 413, 415, 422) },
        },
      },
      async (request, reply) => {
        const userId = userOf(request);
        const id = randomUUID();
        const key = originalKey(id);
        const upload = await receiveUpload(request, storage, { ...UPLOAD, key, check: checkMp4Head });
        try {
          const title = checkTitle(upload.fields.title);
          const refusal = await checkMp4Boxes(storage, key, upload.file.bytes);
          if (refusal) throw new BadRequestError(refusal);
          // The row and its job commit together: no video waits for a job that was never queued.
          const taskId = await db.transaction().execute(async (tx) => {
            const job: ProcessJob = { video_id: id };
            const jobId = await ctx.jobs.send(PROCESS_QUEUE, job, { tx });
            if (!jobId) throw new Error('the processing job was not queued');
            await videos.insertVideo(tx, {
              id,
              owner_id: userId,
              title,
              original_bytes: upload.file.bytes,
              task_id: jobId,
            });
            return jobId;
          });
          ctx.jobs.nudge(PROCESS_QUEUE);
          return reply.code(201).send({ message: VIDEO_MESSAGES.uploaded, task_id: taskId, video_id: id });
        } catch (err) {
          await storage.remove(key);
          throw err;
        }
      },
    );
  });

  app.get(
    '/api/videos',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'My videos, newest first',
        response: { 200: VideoList, ...problems(401) },
      },
    },
    async (request) => (await videos.listOwn(db, userOf(request))).map(videos.summaryOf),
  );

  app.get(
    '/api/videos/:video_id',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'One of my videos, with its status and votes',
        params: VideoParams,
        response: { 200: VideoDetail, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const video = await ownVideo(request.params.video_id, userOf(request));
      return {
        ...videos.summaryOf(video),
        original_url: originalUrl(video.id),
        failure_reason: video.failure_reason,
        votes: video.votes,
      };
    },
  );

  app.delete(
    '/api/videos/:video_id',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Delete one of my videos and its files (not once it is public)',
        params: VideoParams,
        response: { 200: DeletedOut, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const id = request.params.video_id;
      const userId = userOf(request);
      await db.transaction().execute(async (tx) => {
        // Locked, so a publish cannot slip in between the check and the delete.
        const video = await ownVideo(id, userId, { lock: true, db: tx });
        if (video.status === 'public') throw new BadRequestError(VIDEO_MESSAGES.isPublic);
        await videos.deleteVideo(tx, id);
      });
      // After the commit: a failed commit must not have taken the files of a row that stays.
      await Promise.all([storage.remove(originalKey(id)), storage.remove(processedKey(id))]);
      return { message: VIDEO_MESSAGES.deleted, video_id: id };
    },
  );

  app.post(
    '/api/videos/:video_id/publish',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Make one of my processed videos public, open to votes',
        params: VideoParams,
        response: { 200: PublishedOut, ...problems(401, 403, 404, 409) },
      },
    },
    async (request) => {
      const id = request.params.video_id;
      await ownVideo(id, userOf(request));
      if (!(await videos.publishVideo(db, id))) {
        if (!(await videos.findVideo(db, id))) throw new NotFoundError(VIDEO_MESSAGES.notFound);
        throw new ConflictError(VIDEO_MESSAGES.notProcessed);
      }
      return { message: VIDEO_MESSAGES.published, video_id: id, status: 'public' as const };
    },
  );
}
