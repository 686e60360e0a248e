import { Type, type Static } from 'typebox';
import { GENRES } from './genres.js';

const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'At most this many' });

export const RecommendationQuery = Type.Object({
  limit: Limit,
  genre: Type.Optional(
    Type.String({ maxLength: 100, description: `Only this genre: one of ${GENRES.join(', ')}, in any case` }),
  ),
});
export type RecommendationQuery = Static<typeof RecommendationQuery>;

export const SimilarQuery = Type.Object({ limit: Limit });

const Score = Type.Number({ description: 'Higher is a stronger suggestion', examples: [4.31] });

export const Recommendation = Type.Object(
  {
    movie: Type.Ref('Movie'),
    score: Score,
    reason: Type.String({
      description: 'Why it was suggested, in a few words',
      examples: ['similar to movies you rated highly'],
    }),
  },
  { $id: 'Recommendation' },
);

export const SimilarMovie = Type.Object(
  {
    movie: Type.Ref('Movie'),
    score: Type.Number({ description: 'Similarity from -1 to 1, higher is closer', examples: [0.42] }),
  },
  { $id: 'SimilarMovie' },
);
