import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The id is the event id: a redelivered event hits the primary key and is not stored twice.
    CREATE TABLE tracking.interactions (
      id uuid PRIMARY KEY,
      interaction_type text NOT NULL CHECK (interaction_type IN ('click', 'view', 'like')),
      target_element_id text NOT NULL,
      target_element_type text NOT NULL,
      campaign_id text NOT NULL,
      occurred_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now()
    );
    -- Keyset pages, newest first: both columns descending, as the ORDER BY reads them.
    CREATE INDEX interactions_campaign_time ON tracking.interactions (campaign_id, occurred_at DESC, id DESC);
    CREATE INDEX interactions_time ON tracking.interactions (occurred_at DESC, id DESC);
    -- Counters kept up to date in the transaction that stores the interactions they count.
    CREATE TABLE tracking.daily_interactions (
      day date NOT NULL,
      campaign_id text NOT NULL,
      interaction_type text NOT NULL,
      count bigint NOT NULL,
      PRIMARY KEY (day, campaign_id, interaction_type)
    );
    -- One row per day, outcome and slot (the partition of the batch that counted): consumers
    -- own different partitions, so they never wait on each other's counter row. Reads sum slots.
    CREATE TABLE tracking.daily_outcomes (
      day date NOT NULL,
      status text NOT NULL CHECK (status IN ('ok', 'error')),
      slot smallint NOT NULL DEFAULT 0,
      count bigint NOT NULL,
      PRIMARY KEY (day, status, slot)
    );
    -- Messages given up on, once each: what keeps the error count exact if one comes back.
    CREATE TABLE tracking.failed_messages (
      id uuid PRIMARY KEY,
      day date NOT NULL,
      error text NOT NULL,
      failed_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE tracking.affiliates (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX affiliates_created ON tracking.affiliates (created_at DESC, id DESC);
  `.execute(db);
}
