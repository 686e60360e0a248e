import type pg from 'pg';
import type { ServiceContext } from '../../platform/service.js';
import { copyCatalogue } from './catalogue.copy.js';
import { generateCatalogue, type CatalogueOptions } from './suggest/generator.js';

/** What first start loads into an empty catalogue, so the first suggestion has data behind it. */
export const DEMO_CATALOGUE: CatalogueOptions = { movies: 300, users: 200, ratings: 5000, seed: 2026 };

/** One key for every load, so two instances starting at once load the demo once. */
const SEED_LOCK = 'SELECT pg_advisory_xact_lock(hashtext($1))';
const SEED_LOCK_KEY = 'movies.seed';

export interface SeedReport {
  movies: number;
  users: number;
  ratings: number;
  seconds: number;
}

/**
 * Replaces the whole catalogue (movies, users, ratings) with a generated one, in one transaction:
 * readers see the old one until it commits. The suggestion model is rebuilt by whoever builds it
 * next (the refresh loop, or `crucible seed` itself), since the ratings changed.
 */
export async function replaceCatalogue(pool: pg.Pool, opts: CatalogueOptions): Promise<SeedReport> {
  const started = performance.now();
  const cat = generateCatalogue(opts);
  await inTransaction(pool, async (client) => {
    await client.query('TRUNCATE movies.ratings, movies.users, movies.movies');
    await withoutRatingsChecks(client, () => copyCatalogue(client, cat));
  });
  await pool.query('ANALYZE movies.movies, movies.users, movies.ratings');
  return { ...cat.counts, seconds: Math.round(performance.now() - started) / 1000 };
}

/** `crucible seed movies`: the demo catalogue into an empty one, or a line saying why not. */
export async function seedMovies(ctx: Pick<ServiceContext, 'pool'>): Promise<string> {
  return (await demoCatalogue(ctx)) ?? 'movies: the catalogue already has movies or users; demo not loaded';
}

/**
 * First start (`crucible serve --demo`): the demo catalogue when there are no movies and no users
 * yet; otherwise nothing, and undefined.
 */
export async function demoCatalogue({ pool }: Pick<ServiceContext, 'pool'>): Promise<string | undefined> {
  const started = performance.now();
  const loaded = await inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ any: boolean }>(
      'SELECT exists(SELECT 1 FROM movies.movies) OR exists(SELECT 1 FROM movies.users) AS any',
    );
    if (rows[0]!.any) return undefined;
    const cat = generateCatalogue(DEMO_CATALOGUE);
    await copyCatalogue(client, cat);
    return cat.counts;
  });
  if (!loaded) return undefined;
  const { movies, users, ratings } = loaded;
  const seconds = Math.round(performance.now() - started) / 1000;
  return `movies: loaded the demo catalogue, ${movies} movies, ${users} users, ${ratings} ratings in ${seconds} s`;
}

/**
 * Runs `load` with the ratings' keys, foreign keys and indexes dropped, then puts them back as
 * they were (their definitions read from the catalog, so a later migration's are kept): checking
 * once at the end is several times faster than per row, and a row that breaks one still fails the
 * transaction. The table is locked by the TRUNCATE before, so nobody sees it without them.
 */
async function withoutRatingsChecks(client: pg.PoolClient, load: () => Promise<void>): Promise<void> {
  const constraints = await client.query<{ name: string; def: string }>(`
    SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
    WHERE conrelid = 'movies.ratings'::regclass AND contype IN ('p', 'u', 'f')
    ORDER BY contype DESC, conname`); // p and u before f
  const indexes = await client.query<{ name: string; def: string }>(`
    SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
    WHERE i.indrelid = 'movies.ratings'::regclass
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`);
  for (const c of constraints.rows)
    await client.query(`ALTER TABLE movies.ratings DROP CONSTRAINT ${quoteIdent(c.name)}`);
  for (const i of indexes.rows) await client.query(`DROP INDEX ${i.name}`);
  await load();
  await client.query("SET LOCAL maintenance_work_mem = '256MB'");
  for (const c of constraints.rows)
    await client.query(`ALTER TABLE movies.ratings ADD CONSTRAINT ${quoteIdent(c.name)} ${c.def}`);
  for (const i of indexes.rows) await client.query(i.def);
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(SEED_LOCK, [SEED_LOCK_KEY]);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
