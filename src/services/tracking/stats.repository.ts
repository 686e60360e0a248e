import { sql, type Kysely } from 'kysely';
import type { StatsItem } from './stats.schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- queries here are raw SQL
type Db = Kysely<any>;

/**
 * Counts a message given up on as one `error` of its day. The message's id is remembered, so if
 * the broker hands it over again (a crash between this and the move to the dead letters) it is
 * not counted twice. Returns whether it was counted now.
 */
export async function countFailure(
  db: Db,
  id: string,
  day: string,
  error: string,
  slot = 0,
): Promise<boolean> {
  const { rows } = await sql<{ counted: number }>`
    WITH failed AS (
      INSERT INTO tracking.failed_messages (id, day, error) VALUES (${id}, ${day}, ${error})
      ON CONFLICT (id) DO NOTHING RETURNING day
    ),
    counted AS (
      INSERT INTO tracking.daily_outcomes AS o (day, status, slot, count)
      SELECT day, 'error', ${slot}::smallint, 1 FROM failed
      ON CONFLICT (day, status, slot) DO UPDATE SET count = o.count + 1
    )
    SELECT count(*)::int AS counted FROM failed`.execute(db);
  return rows[0]!.counted > 0;
}

export interface DayRange {
  from?: string;
  to?: string;
}

function dayFilter(r: DayRange) {
  const where = [sql`true`];
  if (r.from) where.push(sql`day >= ${r.from}::date`);
  if (r.to) where.push(sql`day <= ${r.to}::date`);
  return where;
}

export async function dailyOutcomes(db: Db, r: DayRange): Promise<StatsItem[]> {
  const { rows } = await sql<StatsItem>`
    SELECT day, status, sum(count)::bigint AS count FROM tracking.daily_outcomes
    WHERE ${sql.join(dayFilter(r), sql` AND `)}
    GROUP BY day, status ORDER BY day, status`.execute(db);
  return rows;
}

export async function dailyInteractions(db: Db, r: DayRange & { campaignId?: string }): Promise<StatsItem[]> {
  const where = dayFilter(r);
  if (r.campaignId !== undefined) where.push(sql`campaign_id = ${r.campaignId}`);
  const { rows } = await sql<StatsItem>`
    SELECT day, campaign_id, interaction_type, count FROM tracking.daily_interactions
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY day, campaign_id, interaction_type`.execute(db);
  return rows;
}
