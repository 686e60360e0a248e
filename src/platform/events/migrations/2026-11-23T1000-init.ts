import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE events.streams (
      name text PRIMARY KEY,
      partitions integer NOT NULL CHECK (partitions > 0)
    );
    CREATE TABLE events.groups (
      stream text NOT NULL REFERENCES events.streams,
      grp text NOT NULL,
      PRIMARY KEY (stream, grp)
    );
    -- One row per event and group, deleted when the group acknowledges it. The text payload is
    -- JSON written by the adapter: stored as given, not parsed by the server.
    CREATE TABLE events.messages (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      stream text NOT NULL,
      grp text NOT NULL,
      part integer NOT NULL,
      id uuid NOT NULL,
      key text NOT NULL,
      data text NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      available_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz NOT NULL DEFAULT now(),
      last_error text
    );
    CREATE INDEX messages_fetch ON events.messages (stream, grp, part, seq);
    CREATE TABLE events.dead_letters (
      stream text NOT NULL,
      grp text NOT NULL,
      part integer NOT NULL,
      id uuid NOT NULL,
      key text NOT NULL,
      data text NOT NULL,
      attempts integer NOT NULL,
      error text NOT NULL,
      failed_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX dead_letters_by_group ON events.dead_letters (stream, grp, failed_at DESC);
    -- Consumers of a group, alive while they beat, and the partitions each one holds.
    CREATE TABLE events.members (
      stream text NOT NULL,
      grp text NOT NULL,
      member text NOT NULL,
      seen_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (stream, grp, member)
    );
    CREATE TABLE events.leases (
      stream text NOT NULL,
      grp text NOT NULL,
      part integer NOT NULL,
      member text NOT NULL,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (stream, grp, part)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE events.leases, events.members, events.dead_letters, events.messages, events.groups, events.streams`.execute(
    db,
  );
}
