import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import { copyInteractions, encodeBinaryCopy } from './interactions.copy.js';
import type { StoredInteraction } from './interactions.rules.js';
import type { Cursor, InteractionRow } from './interactions.service.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- queries here are raw SQL
type Db = Kysely<any>;

const COLUMNS = sql`id, interaction_type, target_element_id, target_element_type, campaign_id,
  occurred_at, received_at, processed_at`;

/**
 * Stores a batch and counts what it stored, as one statement: one round trip, one transaction.
 * Only the rows the INSERT returns (ids not seen before) reach the counters, so a redelivered
 * event is never counted twice. Counter rows are written in key order, so two consumers that
 * touch the same rows wait for each other instead of deadlocking.
 */
/** `slot`: the consumer's counter row (its batch's partition), so consumers never share one. */
export async function storeInteractions(db: Db, batch: StoredInteraction[], slot = 0): Promise<number> {
  if (batch.length === 0) return 0;
  const { rows } = await sql<{ stored: number }>`
    WITH stored AS (
      INSERT INTO tracking.interactions
        (id, interaction_type, target_element_id, target_element_type, campaign_id, occurred_at, received_at)
      SELECT * FROM unnest(
        ${batch.map((r) => r.id)}::uuid[],
        ${batch.map((r) => r.interaction_type)}::text[],
        ${batch.map((r) => r.target_element_id)}::text[],
        ${batch.map((r) => r.target_element_type)}::text[],
        ${batch.map((r) => r.campaign_id)}::text[],
        ${batch.map((r) => r.occurred_at)}::timestamptz[],
        ${batch.map((r) => r.received_at)}::timestamptz[]
      )
      ON CONFLICT (id) DO NOTHING
      RETURNING occurred_at, received_at, campaign_id, interaction_type
    ),
    per_type AS (
      INSERT INTO tracking.daily_interactions AS d (day, campaign_id, interaction_type, count)
      SELECT (occurred_at AT TIME ZONE 'UTC')::date AS day, campaign_id, interaction_type, count(*)
      FROM stored GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
      ON CONFLICT (day, campaign_id, interaction_type) DO UPDATE SET count = d.count + EXCLUDED.count
    ),
    outcomes AS (
      INSERT INTO tracking.daily_outcomes AS o (day, status, slot, count)
      SELECT (received_at AT TIME ZONE 'UTC')::date AS day, 'ok', ${slot}::smallint, count(*)
      FROM stored GROUP BY 1 ORDER BY 1
      ON CONFLICT (day, status, slot) DO UPDATE SET count = o.count + EXCLUDED.count
    )
    SELECT count(*)::int AS stored FROM stored`.execute(db);
  return rows[0]!.stored;
}

const UNIQUE_VIOLATION = '23505';
const SEP = '\u0000'; // cannot occur in stored text

/** Counts of a batch per counter row, in the arrays the counter statement takes. */
function countersOf(batch: StoredInteraction[]) {
  const perType = new Map<string, number>();
  const perDay = new Map<string, number>();
  for (const r of batch) {
    // Canonical instants are UTC: the day is their first ten characters.
    const key = r.occurred_at.slice(0, 10) + SEP + r.campaign_id + SEP + r.interaction_type;
    perType.set(key, (perType.get(key) ?? 0) + 1);
    const day = r.received_at.slice(0, 10);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  const days: string[] = [];
  const campaigns: string[] = [];
  const types: string[] = [];
  for (const key of perType.keys()) {
    const [day, campaign, type] = key.split(SEP) as [string, string, string];
    days.push(day);
    campaigns.push(campaign);
    types.push(type);
  }
  return {
    days,
    campaigns,
    types,
    counts: [...perType.values()],
    outcomeDays: [...perDay.keys()],
    outcomeCounts: [...perDay.values()],
  };
}

/**
 * Stores a batch and counts it, as `storeInteractions` does, in about half the database CPU:
 * one transaction of COPY (binary), then the counters of every row. COPY stores all or nothing,
 * so when it succeeds every row is new and counts. A batch holding an id already stored (a
 * redelivery) fails COPY on the primary key; it is then stored by `storeInteractions`, which
 * skips the ids it has and counts the others.
 */
export async function copyAndCount(
  pool: pg.Pool,
  db: Db,
  batch: StoredInteraction[],
  slot = 0,
): Promise<number> {
  if (batch.length === 0) return 0;
  // Both made before the transaction opens: encoding 10,000 rows takes milliseconds, which a
  // transaction opened first spent idle, holding its connection.
  const c = countersOf(batch);
  const data = encodeBinaryCopy(batch);
  const client = await pool.connect();
  let duplicate = false;
  try {
    await client.query('BEGIN');
    try {
      await copyInteractions(client, data);
    } catch (err) {
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      duplicate = true;
    }
    if (!duplicate) {
      // Counter rows in key order, as in storeInteractions: consumers wait, never deadlock.
      await client.query(
        `WITH per_type AS (
           INSERT INTO tracking.daily_interactions AS d (day, campaign_id, interaction_type, count)
           SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::bigint[]) ORDER BY 1, 2, 3
           ON CONFLICT (day, campaign_id, interaction_type) DO UPDATE SET count = d.count + EXCLUDED.count
         )
         INSERT INTO tracking.daily_outcomes AS o (day, status, slot, count)
         SELECT day, 'ok', $5::smallint, count FROM unnest($6::date[], $7::bigint[]) AS u(day, count) ORDER BY 1
         ON CONFLICT (day, status, slot) DO UPDATE SET count = o.count + EXCLUDED.count`,
        [c.days, c.campaigns, c.types, c.counts, slot, c.outcomeDays, c.outcomeCounts],
      );
    }
    await client.query(duplicate ? 'ROLLBACK' : 'COMMIT');
  } catch (err) {
    // A connection that cannot even roll back is closed, not handed to the next caller.
    const usable = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    client.release(!usable);
    throw err;
  }
  client.release();
  return duplicate ? storeInteractions(db, batch, slot) : batch.length;
}

export async function findInteraction(db: Db, id: string): Promise<InteractionRow | undefined> {
  const { rows } = await sql<InteractionRow>`
    SELECT ${COLUMNS} FROM tracking.interactions WHERE id = ${id}`.execute(db);
  return rows[0];
}

export interface InteractionFilter {
  campaignId?: string;
  from?: Date;
  to?: Date;
  after?: Cursor;
  limit: number;
}

/** Newest first, keyset-paged on (occurred_at, id): a page costs the same however deep it is. */
export async function listInteractions(db: Db, f: InteractionFilter): Promise<InteractionRow[]> {
  const where = [sql`true`];
  if (f.campaignId !== undefined) where.push(sql`campaign_id = ${f.campaignId}`);
  if (f.from) where.push(sql`occurred_at >= ${f.from.toISOString()}::timestamptz`);
  if (f.to) where.push(sql`occurred_at < ${f.to.toISOString()}::timestamptz`);
  if (f.after)
    where.push(
      sql`(occurred_at, id) < (${f.after.occurredAt.toISOString()}::timestamptz, ${f.after.id}::uuid)`,
    );
  const { rows } = await sql<InteractionRow>`
    SELECT ${COLUMNS} FROM tracking.interactions WHERE ${sql.join(where, sql` AND `)}
    ORDER BY occurred_at DESC, id DESC LIMIT ${f.limit}`.execute(db);
  return rows;
}
