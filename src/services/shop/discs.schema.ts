import { Type, type Static } from 'typebox';

const Text = (description: string) => Type.String({ minLength: 1, maxLength: 255, description });
const Filter = (description: string) => Type.Optional(Type.String({ maxLength: 255, description }));

export const DiscFields = {
  name: Text('Title of the disc'),
  artist: Text('Artist'),
  year_of_release: Type.Integer({ minimum: 1000, maximum: 9999, description: 'Year of release' }),
  genre: Text('Genre'),
  quantity: Type.Integer({ minimum: 0, maximum: 2_000_000_000, description: 'Copies in stock' }),
};

export const DiscCreate = Type.Object(DiscFields, { additionalProperties: false });
export type DiscCreate = Static<typeof DiscCreate>;

export const DiscUpdate = Type.Partial(Type.Object(DiscFields), {
  additionalProperties: false,
  minProperties: 1,
});
export type DiscUpdate = Static<typeof DiscUpdate>;

export const Disc = Type.Object({ id: Type.String({ format: 'uuid' }), ...DiscFields }, { $id: 'Disc' });
export type Disc = Static<typeof Disc>;

export const DiscQuery = Type.Object(
  {
    name: Filter('case-insensitive substring'),
    artist: Filter('case-insensitive substring'),
    genre: Filter('case-insensitive substring'),
    name_exact: Filter('exact name'),
    artist_exact: Filter('exact artist'),
    genre_exact: Filter('exact genre'),
    year_of_release_min: Type.Optional(Type.Integer({ minimum: 0, maximum: 9999 })),
    year_of_release_max: Type.Optional(Type.Integer({ minimum: 0, maximum: 9999 })),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 }),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 100 }),
  },
  { additionalProperties: false },
);
export type DiscQuery = Static<typeof DiscQuery>;

export const DiscPage = Type.Object({
  params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Integer()])),
  limit: Type.Integer(),
  offset: Type.Integer(),
  data: Type.Array(Disc),
});

export const Stock = Type.Object({
  disc_id: Type.String({ format: 'uuid' }),
  initial: Type.Integer({ description: 'Copies received: the initial quantity plus later changes' }),
  sold: Type.Integer({ description: 'Copies in confirmed orders' }),
  remaining: Type.Integer({ description: 'Copies in stock now' }),
  pending: Type.Integer({ description: 'Copies in queued orders not yet decided' }),
  consistent: Type.Boolean({ description: 'initial = sold + remaining' }),
});
