import { Type, type Static } from 'typebox';
import { Id } from './ids.schema.js';

const Score = Type.Integer({
  minimum: 1,
  maximum: 5,
  description: 'From 1 (bad) to 5 (great)',
  examples: [4],
});

export const RatingParams = Type.Object({ id: Id('The user id'), movie_id: Id('The movie id') });
export type RatingParams = Static<typeof RatingParams>;

export const RatingWrite = Type.Object({ score: Score }, { additionalProperties: false });
export type RatingWrite = Static<typeof RatingWrite>;

export const Rating = Type.Object(
  {
    user_id: Id('The user id'),
    movie_id: Id('The movie id'),
    score: Score,
    rated_at: Type.String({ format: 'date-time', examples: ['2026-12-08T10:00:00.000Z'] }),
  },
  { $id: 'Rating' },
);
export type Rating = Static<typeof Rating>;
