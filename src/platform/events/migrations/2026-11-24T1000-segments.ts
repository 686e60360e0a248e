import { sql, type Kysely } from 'kysely';

/**
 * One row per published batch and partition (a segment) instead of one per event: a row costs
 * the same index entries, WAL record and later DELETE however many events it holds, and those
 * per-row costs were most of what the stream cost per event. Pending messages move over, each
 * as a segment of one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE events.segments (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      stream text NOT NULL,
      grp text NOT NULL,
      part integer NOT NULL,
      count integer NOT NULL CHECK (count > 0),
      -- JSON array of [id, key, data], in publish order: stored as given, not parsed by the server.
      data text NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      available_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz NOT NULL DEFAULT now(),
      last_error text
    );
    -- Segments are large and read once: compressing them cost twice the CPU of storing them.
    ALTER TABLE events.segments ALTER COLUMN data SET STORAGE EXTERNAL;
    CREATE INDEX segments_fetch ON events.segments (stream, grp, part, seq);
    INSERT INTO events.segments (stream, grp, part, count, data, attempts, available_at, published_at, last_error)
    SELECT stream, grp, part, 1, json_build_array(json_build_array(id, key, data::json))::text,
      attempts, available_at, published_at, last_error
    FROM events.messages ORDER BY seq;
    DROP TABLE events.messages;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
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
    INSERT INTO events.messages (stream, grp, part, id, key, data, attempts, available_at, published_at, last_error)
    SELECT s.stream, s.grp, s.part, (e.v->>0)::uuid, e.v->>1, (e.v->2)::text,
      s.attempts, s.available_at, s.published_at, s.last_error
    FROM events.segments s CROSS JOIN LATERAL json_array_elements(s.data::json) WITH ORDINALITY AS e(v, n)
    ORDER BY s.seq, e.n;
    DROP TABLE events.segments;
  `.execute(db);
}
