import { Type, type Static } from 'typebox';
import { GENRES } from './genres.js';
import { Id } from './ids.schema.js';

const genreText = `One of ${GENRES.join(', ')}`;

const Name = Type.String({ minLength: 1, maxLength: 500, examples: ['The Matrix'] });
const ReleaseYear = Type.Integer({ minimum: 1800, maximum: 2200, examples: [1999] });
const Description = Type.String({
  maxLength: 10_000,
  examples: ['A hacker learns that the world he lives in is a simulation.'],
});

export const MovieCreate = Type.Object(
  {
    name: Name,
    release_year: Type.Optional(Type.Union([ReleaseYear, Type.Null()])),
    description: Type.Optional(Type.Union([Description, Type.Null()])),
    // Checked by the route, not here: an unknown genre is the original's 400 with the list.
    genre: Type.String({ description: `${genreText}, in any case; stored lowercase`, examples: ['SciFi'] }),
  },
  { additionalProperties: false },
);
export type MovieCreate = Static<typeof MovieCreate>;

export const Movie = Type.Object(
  {
    id: Id('The movie id'),
    name: Name,
    release_year: Type.Union([ReleaseYear, Type.Null()]),
    description: Type.Union([Description, Type.Null()]),
    genre: Type.String({ enum: [...GENRES], description: genreText, examples: ['scifi'] }),
  },
  { $id: 'Movie' },
);
export type Movie = Static<typeof Movie>;

export const MovieQuery = Type.Object({
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0, description: 'Movies to skip' }),
  limit: Type.Integer({ minimum: 0, maximum: 100, default: 100, description: 'At most this many' }),
});
export type MovieQuery = Static<typeof MovieQuery>;
