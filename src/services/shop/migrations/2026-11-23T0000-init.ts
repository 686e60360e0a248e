import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE shop.discs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      artist text NOT NULL,
      year_of_release integer NOT NULL,
      genre text NOT NULL,
      -- The last line of defence against overselling, whatever the concurrency mode does.
      quantity integer NOT NULL CHECK (quantity >= 0),
      version bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE shop.customers (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      document text NOT NULL,
      name text NOT NULL,
      birth_date date NOT NULL,
      email text NOT NULL,
      phone text NOT NULL,
      is_active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    -- Orders are the ledger of sales: a confirmed order is a stock movement out.
    CREATE TABLE shop.purchase_orders (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      disc_id uuid NOT NULL REFERENCES shop.discs (id),
      customer_id uuid NOT NULL REFERENCES shop.customers (id),
      quantity integer NOT NULL CHECK (quantity >= 1),
      status text NOT NULL CHECK (status IN ('pending', 'confirmed', 'rejected')),
      reason text,
      disc jsonb,
      customer jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      decided_at timestamptz
    );
    CREATE INDEX purchase_orders_disc ON shop.purchase_orders (disc_id, status);
    CREATE INDEX purchase_orders_customer ON shop.purchase_orders (customer_id, created_at);
    CREATE INDEX purchase_orders_created ON shop.purchase_orders (created_at);
    -- Stock received: the initial quantity and every later change made through the API.
    CREATE TABLE shop.stock_movements (
      id bigserial PRIMARY KEY,
      disc_id uuid NOT NULL REFERENCES shop.discs (id) ON DELETE CASCADE,
      delta integer NOT NULL,
      reason text NOT NULL CHECK (reason IN ('initial', 'adjustment')),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX stock_movements_disc ON shop.stock_movements (disc_id);
    CREATE TABLE shop.idempotency_keys (
      key text PRIMARY KEY,
      request_hash text NOT NULL,
      status text NOT NULL CHECK (status IN ('running', 'done')),
      response_status integer,
      response_body jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `.execute(db);
}
