import { sql, type Kysely } from 'kysely';
import { GENRES } from '../genres.js';

// The genre list is read from the constant as it stands when this runs. Adding a genre later takes
// a new migration that replaces movies_genre_check; this one has already run where data exists.
const genreList = sql.join(GENRES.map((g) => sql.lit(g)));

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE movies.movies (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      release_year integer,
      description text,
      genre text NOT NULL CONSTRAINT movies_genre_check CHECK (genre IN (${genreList})),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE movies.users (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    -- One score per user and movie; a new score replaces the old one. A deleted movie takes its
    -- ratings with it, so suggestions never name a movie that is gone.
    CREATE TABLE movies.ratings (
      user_id bigint NOT NULL REFERENCES movies.users (id) ON DELETE CASCADE,
      movie_id bigint NOT NULL REFERENCES movies.movies (id) ON DELETE CASCADE,
      score smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
      rated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, movie_id)
    );
    -- The cascade on delete and the per-movie side of the neighbour computation read by movie.
    CREATE INDEX ratings_movie ON movies.ratings (movie_id);
  `.execute(db);
}
