import { Type } from 'typebox';
import { Uuid } from '../../platform/http/schemas.js';

const ID = '5b8f0c1e-3d2a-4c6b-9e7f-1a2b3c4d5e6f';
const City = Type.String({
  maxLength: 100,
  description: 'Part of the city, in any case, with or without accents ("bogota" finds Bogotá)',
  examples: ['bogota'],
});

export const PublicVideosQuery = Type.Object({
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  city: Type.Optional(City),
});

export const RankingsQuery = Type.Object({
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  city: Type.Optional(City),
});

const PUBLIC_VIDEO = {
  id: ID,
  title: 'Mis mejores jugadas',
  uploaded_at: '2026-12-08T15:00:00.000Z',
  processed_url: `/videos/${ID}/processed.mp4`,
  owner_name: 'Sofía Ramírez',
  owner_city: 'Bogotá',
  votes: 12,
};

export const PublicVideos = Type.Array(
  Type.Object({
    id: Type.String({ format: 'uuid' }),
    title: Type.String(),
    uploaded_at: Type.String({ format: 'date-time' }),
    processed_url: Type.String(),
    owner_name: Type.String(),
    owner_city: Type.Union([Type.String(), Type.Null()]),
    votes: Type.Integer(),
  }),
  { examples: [[PUBLIC_VIDEO]] },
);

export const VoteOut = Type.Object(
  { message: Type.String() },
  { examples: [{ message: 'Vote successfully registered' }] },
);

export const Rankings = Type.Array(
  Type.Object({
    position: Type.Integer({ minimum: 1 }),
    username: Type.String(),
    city: Type.Union([Type.String(), Type.Null()]),
    votes: Type.Integer(),
  }),
  {
    examples: [
      [
        { position: 1, username: 'Sofía Ramírez', city: 'Bogotá', votes: 12 },
        { position: 2, username: 'Mateo Gómez', city: 'Medellín', votes: 9 },
      ],
    ],
  },
);

export const FileParams = Type.Object({
  video_id: Uuid,
  file: Type.Union([Type.Literal('original.mp4'), Type.Literal('processed.mp4')]),
});
