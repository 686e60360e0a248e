import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- queries here are raw SQL
type Db = Kysely<any>;

export interface RaisedAlert {
  id: number;
  app_name: string;
  last_poll_at: Date;
  raised_at: Date;
}

export interface ClearedAlert extends RaisedAlert {
  polled_at: Date;
  cleared_at: Date;
}

/**
 * Raises the alert of each consumer silent for longer than the window, once per silence: the
 * alert's key is the last poll the silence follows, so of several instances checking at once
 * one inserts it and the others find it there. Returns only the alerts this call raised.
 */
export async function raiseStaleAlerts(db: Db, staleAfterMs: number): Promise<RaisedAlert[]> {
  const { rows } = await sql<RaisedAlert>`
    INSERT INTO criticality.stale_alerts (app_name, last_poll_at)
    SELECT app_name, last_poll_at FROM criticality.consumers
     WHERE last_poll_at < now() - make_interval(secs => ${staleAfterMs / 1000})
     -- One order for every checker: two inserting the same keys wait on each other, never deadlock.
     ORDER BY app_name
    ON CONFLICT (app_name, last_poll_at) DO NOTHING
    RETURNING id, app_name, last_poll_at, raised_at`.execute(db);
  return rows;
}

/**
 * Clears the open alerts of consumers that have polled since. The row lock makes concurrent
 * checks clear each alert once: the second sees cleared_at set and skips it.
 */
export async function clearAnsweredAlerts(db: Db): Promise<ClearedAlert[]> {
  const { rows } = await sql<ClearedAlert>`
    UPDATE criticality.stale_alerts a SET cleared_at = now()
      FROM criticality.consumers c
     WHERE a.cleared_at IS NULL AND c.app_name = a.app_name AND c.last_poll_at > a.last_poll_at
    RETURNING a.id, a.app_name, a.last_poll_at, a.raised_at, a.cleared_at, c.last_poll_at AS polled_at`.execute(
    db,
  );
  return rows;
}

/** Consumers with an open alert that have not polled since: stale right now. */
export async function countStale(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM criticality.stale_alerts a
      JOIN criticality.consumers c ON c.app_name = a.app_name AND c.last_poll_at = a.last_poll_at
     WHERE a.cleared_at IS NULL`.execute(db);
  return rows[0]!.n;
}

export async function countAlerts(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM criticality.stale_alerts`.execute(db);
  return rows[0]!.n;
}
