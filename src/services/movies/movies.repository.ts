import { sql } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import type { Genre } from './genres.js';
import type { Movie, MovieCreate } from './movies.schema.js';

const COLUMNS = sql`id, name, release_year, description, genre`;

export async function insertMovie(db: AnyDb, m: MovieCreate & { genre: Genre }): Promise<Movie> {
  const { rows } = await sql<Movie>`
    INSERT INTO movies.movies (name, release_year, description, genre)
    VALUES (${m.name}, ${m.release_year ?? null}, ${m.description ?? null}, ${m.genre})
    RETURNING ${COLUMNS}`.execute(db);
  return rows[0]!;
}

export async function listMovies(db: AnyDb, offset: number, limit: number): Promise<Movie[]> {
  const { rows } = await sql<Movie>`
    SELECT ${COLUMNS} FROM movies.movies ORDER BY id OFFSET ${offset} LIMIT ${limit}`.execute(db);
  return rows;
}

export async function findMovie(db: AnyDb, id: number): Promise<Movie | undefined> {
  const { rows } = await sql<Movie>`SELECT ${COLUMNS} FROM movies.movies WHERE id = ${id}`.execute(db);
  return rows[0];
}

/** Deletes the movie and, by the foreign key's cascade, its ratings; answers what was deleted. */
export async function deleteMovie(db: AnyDb, id: number): Promise<Movie | undefined> {
  const { rows } = await sql<Movie>`
    DELETE FROM movies.movies WHERE id = ${id} RETURNING ${COLUMNS}`.execute(db);
  return rows[0];
}
