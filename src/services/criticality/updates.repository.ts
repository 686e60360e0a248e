import type pg from 'pg';

/** The latest state, the calling app's registration and where it stands, in one round trip. */
export interface PollView {
  app: AppRow | undefined;
  latest: StateRow | undefined;
  /** The app was already given the latest state (or there is none). */
  upToDate: boolean;
  /** Its last poll is recorded recently enough that this one need not be written. */
  fresh: boolean;
}

export interface AppRow {
  token_digest: Buffer;
  revoked: boolean;
}

export interface StateRow {
  id: number;
  current_status: number;
  change_at_text: string;
}

interface PollRow {
  name: string;
  token_digest: Buffer | null;
  revoked: boolean | null;
  id: string | null;
  current_status: number | null;
  change_at_text: string | null;
  up_to_date: boolean | null;
  fresh: boolean | null;
}

// Named statements: prepared once per connection, as every poll runs them. One row per name
// asked for, whether or not the app is registered or has polled before.
const VIEWS = `
  WITH l AS (
    SELECT id, current_status, change_at, change_at_text FROM criticality.states
     ORDER BY change_at DESC, id DESC LIMIT 1)
  SELECT n.name, a.token_digest, a.revoked_at IS NOT NULL AS revoked,
         l.id, l.current_status, l.change_at_text,
         l.id IS NULL OR (c.delivered_change_at, c.delivered_id) >= (l.change_at, l.id) AS up_to_date,
         c.last_poll_at > now() - make_interval(secs => $2::float8) AS fresh
    FROM unnest($1::text[]) AS n(name)
    LEFT JOIN l ON true
    LEFT JOIN criticality.apps a ON a.name = n.name
    LEFT JOIN criticality.consumers c ON c.app_name = n.name`;

/** The poll views of several apps, read in one statement (one snapshot). */
export async function pollViews(
  pool: pg.Pool,
  appNames: string[],
  freshSeconds: number,
): Promise<Map<string, PollView>> {
  const { rows } = await pool.query<PollRow>({
    name: 'criticality-poll-views',
    text: VIEWS,
    values: [appNames, freshSeconds],
  });
  return new Map(
    rows.map((r) => [
      r.name,
      {
        app: r.token_digest ? { token_digest: r.token_digest, revoked: r.revoked === true } : undefined,
        latest:
          r.id === null
            ? undefined
            : { id: Number(r.id), current_status: r.current_status!, change_at_text: r.change_at_text! },
        upToDate: r.up_to_date === true,
        fresh: r.fresh === true,
      },
    ]),
  );
}

/**
 * Records the poll and, in the same statement, marks `state` delivered if its key
 * (change_at, id) is greater than the last one this app was given. The row lock of the upsert
 * orders concurrent polls of one app, on any instance: each sees the mark of the one before, so
 * exactly one of them is told it delivered. True when this poll is that one.
 */
export async function recordPoll(
  pool: pg.Pool,
  appName: string,
  state: StateRow | undefined,
): Promise<boolean> {
  const { rows } = await pool.query<{ delivered: boolean }>({
    name: 'criticality-record-poll',
    text: `
      INSERT INTO criticality.consumers AS c
        (app_name, last_poll_at, delivered_id, delivered_change_at, delivered_at, last_poll_delivered)
      VALUES ($1, now(), $2::bigint, $3::timestamptz, CASE WHEN $2::bigint IS NULL THEN NULL ELSE now() END,
              $2::bigint IS NOT NULL)
      ON CONFLICT (app_name) DO UPDATE SET
        last_poll_at = now(),
        (delivered_id, delivered_change_at, delivered_at, last_poll_delivered) = (
          SELECT CASE WHEN d.newer THEN EXCLUDED.delivered_id ELSE c.delivered_id END,
                 CASE WHEN d.newer THEN EXCLUDED.delivered_change_at ELSE c.delivered_change_at END,
                 CASE WHEN d.newer THEN now() ELSE c.delivered_at END,
                 d.newer
            FROM (SELECT EXCLUDED.delivered_id IS NOT NULL AND (c.delivered_id IS NULL OR
                    (c.delivered_change_at, c.delivered_id) < (EXCLUDED.delivered_change_at, EXCLUDED.delivered_id))
                    AS newer) AS d)
      RETURNING last_poll_delivered AS delivered`,
    values: [appName, state?.id ?? null, state ? state.change_at_text : null],
  });
  return rows[0]!.delivered;
}

/**
 * Stores a state if the caller may post it, in one round trip: an app with a token of its own
 * (not revoked) needs its digest, any other app the shared token. Returns the app's registration
 * either way, so a refusal can be explained; `id` is undefined when refused.
 */
export async function insertStateIfAllowed(
  pool: pg.Pool,
  appName: string,
  currentStatus: number,
  changeAtUtc: string,
  caller: { tokenDigest: Buffer; sharedToken: boolean },
): Promise<{ id: number | undefined; app: AppRow | undefined }> {
  const { rows } = await pool.query<{
    id: string | null;
    token_digest: Buffer | null;
    revoked: boolean | null;
  }>({
    name: 'criticality-insert-state-if-allowed',
    text: `
      WITH app AS (SELECT token_digest, revoked_at IS NOT NULL AS revoked FROM criticality.apps WHERE name = $1),
      ins AS (
        INSERT INTO criticality.states (app_name, current_status, change_at, change_at_text)
        SELECT $1, $2, $3::text::timestamptz, $3::text
         WHERE CASE WHEN EXISTS (SELECT FROM app)
                    THEN (SELECT NOT revoked AND token_digest = $4::bytea FROM app)
                    ELSE $5::boolean END
        RETURNING id)
      SELECT (SELECT id FROM ins) AS id, app.token_digest, app.revoked
        FROM (SELECT 1) AS one LEFT JOIN app ON true`,
    values: [appName, currentStatus, changeAtUtc, caller.tokenDigest, caller.sharedToken],
  });
  const r = rows[0]!;
  return {
    id: r.id === null ? undefined : Number(r.id),
    app: r.token_digest ? { token_digest: r.token_digest, revoked: r.revoked === true } : undefined,
  };
}
