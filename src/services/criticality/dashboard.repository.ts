import { sql, type Kysely } from 'kysely';
import type { Consumer, HistoryItem } from './dashboard.schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- queries here are raw SQL
type Db = Kysely<any>;

interface ConsumerRow {
  app_name: string;
  first_poll_at: Date;
  last_poll_at: Date;
  silent_seconds: number;
  stale: boolean;
  alert_raised_at: Date | null;
  has_latest: boolean;
  delivered_id: number | null;
  current_status: number | null;
  change_at_text: string | null;
  delivered_at: Date | null;
}

export async function listConsumers(
  db: Db,
  opts: { staleAfterMs: number; after: string | undefined; limit: number },
): Promise<Consumer[]> {
  const { rows } = await sql<ConsumerRow>`
    SELECT c.app_name, c.first_poll_at, c.last_poll_at,
           round(extract(epoch FROM now() - c.last_poll_at)::numeric, 3)::float8 AS silent_seconds,
           c.last_poll_at < now() - make_interval(secs => ${opts.staleAfterMs / 1000}) AS stale,
           a.raised_at AS alert_raised_at,
           l.id IS NULL OR (c.delivered_change_at, c.delivered_id) >= (l.change_at, l.id) AS has_latest,
           c.delivered_id, s.current_status, s.change_at_text, c.delivered_at
      FROM criticality.consumers c
      LEFT JOIN criticality.states s ON s.id = c.delivered_id
      LEFT JOIN criticality.stale_alerts a
        ON a.app_name = c.app_name AND a.last_poll_at = c.last_poll_at AND a.cleared_at IS NULL
      LEFT JOIN LATERAL (SELECT id, change_at FROM criticality.states
                          ORDER BY change_at DESC, id DESC LIMIT 1) l ON true
     WHERE ${opts.after === undefined ? sql`true` : sql`c.app_name > ${opts.after}`}
     ORDER BY c.app_name LIMIT ${opts.limit}`.execute(db);
  return rows.map((r) => ({
    app_name: r.app_name,
    first_poll_at: r.first_poll_at.toISOString(),
    last_poll_at: r.last_poll_at.toISOString(),
    silent_seconds: r.silent_seconds,
    stale: r.stale,
    alert_raised_at: r.alert_raised_at?.toISOString() ?? null,
    has_latest: r.has_latest === true,
    last_delivered:
      r.delivered_id === null
        ? null
        : {
            status_change_id: r.delivered_id,
            current_status: r.current_status!,
            Change_at: r.change_at_text!,
            delivered_at: r.delivered_at!.toISOString(),
          },
  }));
}

interface HistoryRow {
  id: number;
  app_name: string;
  current_status: number;
  change_at_text: string;
  received_at: Date;
}

export interface HistoryFilter {
  from?: string;
  to?: string;
  app?: string;
  /** The (Change_at, processed_id) of the last item of the previous page. */
  before?: [string, number];
  limit: number;
}

export async function listHistory(db: Db, f: HistoryFilter): Promise<HistoryItem[]> {
  const where = [
    f.from === undefined ? undefined : sql`change_at >= ${f.from}::timestamptz`,
    f.to === undefined ? undefined : sql`change_at < ${f.to}::timestamptz`,
    f.app === undefined ? undefined : sql`app_name = ${f.app}`,
    f.before === undefined ? undefined : sql`(change_at, id) < (${f.before[0]}::timestamptz, ${f.before[1]})`,
  ].filter((w) => w !== undefined);
  const { rows } = await sql<HistoryRow>`
    SELECT id, app_name, current_status, change_at_text, received_at FROM criticality.states
     WHERE ${where.length ? sql.join(where, sql` AND `) : sql`true`}
     ORDER BY change_at DESC, id DESC LIMIT ${f.limit}`.execute(db);
  return rows.map((r) => ({
    processed_id: r.id,
    app_name: r.app_name,
    current_status: r.current_status,
    Change_at: r.change_at_text,
    received_at: r.received_at.toISOString(),
  }));
}
