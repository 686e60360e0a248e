import { sql, type Kysely } from 'kysely';

/** Every instance asks each second which users rated since its last look: an index makes that a range read. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX ratings_rated_at ON movies.ratings (rated_at)`.execute(db);
}
