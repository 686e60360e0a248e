import { Type, type Static } from 'typebox';
import { Uuid } from '../../platform/http/schemas.js';
import { VIDEO_STATUSES } from './videos.keys.js';

const ID = '5b8f0c1e-3d2a-4c6b-9e7f-1a2b3c4d5e6f';
const At = Type.String({ format: 'date-time' });
const MaybeAt = Type.Union([At, Type.Null()]);
const MaybeUrl = Type.Union([Type.String(), Type.Null()]);
const Status = Type.Union(
  [
    Type.Literal('uploaded'),
    Type.Literal('processing'),
    Type.Literal('processed'),
    Type.Literal('failed'),
    Type.Literal('public'),
  ],
  { description: `One of ${VIDEO_STATUSES.join(', ')}` },
);

export const VideoParams = Type.Object({ video_id: Uuid });

export const UploadOut = Type.Object(
  { message: Type.String(), task_id: Type.String(), video_id: Type.String({ format: 'uuid' }) },
  {
    examples: [
      {
        message: 'Video subido exitosamente. Tarea creada.',
        task_id: '0f6c2b1a-8d4e-4f3a-b2c1-9e8d7f6a5b4c',
        video_id: ID,
      },
    ],
  },
);

const SUMMARY = {
  video_id: ID,
  title: 'Mis mejores jugadas',
  status: 'processed',
  uploaded_at: '2026-12-08T15:00:00.000Z',
  processed_at: '2026-12-08T15:00:40.000Z',
  processed_url: `/videos/${ID}/processed.mp4`,
};

export const VideoSummary = Type.Object(
  {
    video_id: Type.String({ format: 'uuid' }),
    title: Type.String(),
    status: Status,
    uploaded_at: At,
    processed_at: MaybeAt,
    processed_url: MaybeUrl,
  },
  { examples: [SUMMARY] },
);
export type VideoSummary = Static<typeof VideoSummary>;

export const VideoList = Type.Array(VideoSummary, { examples: [[SUMMARY]] });

export const VideoDetail = Type.Object(
  {
    ...VideoSummary.properties,
    original_url: Type.String(),
    failure_reason: Type.Union([Type.String(), Type.Null()], {
      description: 'Why processing failed, when status is failed',
    }),
    votes: Type.Integer(),
  },
  {
    examples: [{ ...SUMMARY, original_url: `/videos/${ID}/original.mp4`, failure_reason: null, votes: 12 }],
  },
);
export type VideoDetail = Static<typeof VideoDetail>;

export const DeletedOut = Type.Object(
  { message: Type.String(), video_id: Type.String({ format: 'uuid' }) },
  { examples: [{ message: 'El video ha sido eliminado exitosamente.', video_id: ID }] },
);

export const PublishedOut = Type.Object(
  { message: Type.String(), video_id: Type.String({ format: 'uuid' }), status: Type.Literal('public') },
  { examples: [{ message: 'El video ha sido publicado exitosamente.', video_id: ID, status: 'public' }] },
);
