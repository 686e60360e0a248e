import { sql, type Kysely } from 'kysely';

/**
 * Segments are inserted and deleted all day: each fetch walks past the dead rows the last
 * deletes left until vacuum clears them, and with the default thresholds (20 % of the table)
 * a queue that is nearly empty is vacuumed late. Vacuum it after every thousand dead rows,
 * without the cost-based pauses.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE events.segments SET (
      autovacuum_vacuum_scale_factor = 0,
      autovacuum_vacuum_threshold = 1000,
      autovacuum_vacuum_cost_delay = 0,
      autovacuum_analyze_scale_factor = 0,
      autovacuum_analyze_threshold = 1000
    )
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE events.segments RESET (
      autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, autovacuum_vacuum_cost_delay,
      autovacuum_analyze_scale_factor, autovacuum_analyze_threshold
    )
  `.execute(db);
}
