import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Every POST, kept: the id is the processed_id; the latest state is the greatest (change_at, id).
    CREATE TABLE criticality.states (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      app_name text NOT NULL,
      current_status integer NOT NULL,
      change_at timestamptz NOT NULL,
      -- As answered: UTC, with the fractional digits that were sent and no others.
      change_at_text text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now()
    );
    -- The latest state is the first entry of this index; history pages walk it too.
    CREATE INDEX states_latest ON criticality.states (change_at DESC, id DESC);
    CREATE INDEX states_app ON criticality.states (app_name, change_at DESC, id DESC);

    -- One row per app that has polled. The delivered columns are the ordering key of the last
    -- state it was given; a poll delivers only a state whose key is greater.
    CREATE TABLE criticality.consumers (
      app_name text PRIMARY KEY,
      first_poll_at timestamptz NOT NULL DEFAULT now(),
      last_poll_at timestamptz NOT NULL,
      delivered_id bigint,
      delivered_change_at timestamptz,
      delivered_at timestamptz,
      last_poll_delivered boolean NOT NULL DEFAULT false
    );

    -- Apps with a token of their own: a SHA-256 digest, enough for a random 256-bit token.
    CREATE TABLE criticality.apps (
      name text PRIMARY KEY,
      token_digest bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      rotated_at timestamptz,
      revoked_at timestamptz
    );

    -- One alert per silence: a silence is named by the poll it followed, so the unique key lets
    -- one instance raise it however many look at once.
    CREATE TABLE criticality.stale_alerts (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      app_name text NOT NULL,
      last_poll_at timestamptz NOT NULL,
      raised_at timestamptz NOT NULL DEFAULT now(),
      cleared_at timestamptz,
      UNIQUE (app_name, last_poll_at)
    );
    CREATE INDEX stale_alerts_open ON criticality.stale_alerts (app_name) WHERE cleared_at IS NULL;
  `.execute(db);
}
