import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Catalogue } from './suggest/generator.js';

/** Bytes of COPY text gathered before a chunk is handed to the socket. */
const CHUNK = 1 << 18;

/**
 * Writes a generated catalogue into movies.movies, movies.users and movies.ratings with COPY,
 * streamed from the generator (a million ratings never sit in memory as rows), inside the
 * caller's transaction; the tables are expected empty. The identities then continue after the
 * loaded ids, so the API's next movie or user gets a fresh one.
 */
export async function copyCatalogue(client: pg.PoolClient, cat: Catalogue): Promise<void> {
  await copy(
    client,
    'movies.movies (id, name, release_year, description, genre)',
    lines(
      cat.movieRows(),
      (m) => `${m.id}\t${text(m.name)}\t${m.release_year}\t${text(m.description)}\t${m.genre}\n`,
    ),
  );
  await copy(
    client,
    'movies.users (id, name)',
    lines(cat.userRows(), (u) => `${u.id}\t${text(u.name)}\n`),
  );
  await copy(
    client,
    'movies.ratings (user_id, movie_id, score)',
    lines(cat.ratingRows(), (r) => `${r.user}\t${r.movie}\t${r.score}\n`),
  );
  for (const table of ['movies', 'users'])
    await client.query(
      `SELECT setval(pg_get_serial_sequence('movies.${table}', 'id'), coalesce(max(id), 0) + 1, false)
       FROM movies.${table}`,
    );
}

async function copy(client: pg.PoolClient, target: string, data: Iterable<string>) {
  // COPY writes the given ids into the GENERATED ALWAYS identity, as OVERRIDING SYSTEM VALUE would.
  await pipeline(Readable.from(data), client.query(copyFrom(`COPY ${target} FROM STDIN`)));
}

function* lines<T>(rows: Iterable<T>, line: (row: T) => string): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    chunk += line(row);
    if (chunk.length >= CHUNK) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** A value in COPY's text format: backslash, tab and line breaks escaped. */
function text(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);
}
