import { sql, type Kysely } from 'kysely';

/**
 * What the suggestion model precomputes, rebuilt whole by one instance at a time and read by every
 * instance: each movie's nearest neighbours, each movie's popularity, and one row saying which
 * build this is and which ratings it saw. No foreign keys: a build is replaced whole, and serving
 * drops any movie the catalogue no longer has.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE movies.neighbours (
      movie_id bigint NOT NULL,
      neighbour_id bigint NOT NULL,
      sim real NOT NULL,
      PRIMARY KEY (movie_id, neighbour_id)
    );
    CREATE TABLE movies.popularity (
      movie_id bigint PRIMARY KEY,
      score real NOT NULL,
      ratings integer NOT NULL,
      mean real NOT NULL
    );
    CREATE TABLE movies.model (
      one boolean PRIMARY KEY DEFAULT true CHECK (one),
      version bigint NOT NULL DEFAULT 0,
      built_at timestamptz,
      build_ms integer,
      global_mean real,
      -- The ratings this build saw, to tell whether a rebuild has anything new to learn.
      ratings_count bigint NOT NULL DEFAULT 0,
      ratings_last_at timestamptz
    );
    INSERT INTO movies.model DEFAULT VALUES;
  `.execute(db);
}
