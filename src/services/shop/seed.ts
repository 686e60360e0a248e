import { sql } from 'kysely';
import type { ServiceContext } from '../../platform/service.js';

/** The original's demo data, so its siege command works as written. */
export const DEMO_DISC_ID = 'bcd8a0e9-dc0a-4ae7-a783-458542e2cc39';
export const DEMO_CUSTOMER_ID = '0e92cf1e-7bc4-4f9e-8eb6-3c88627efecb';
export const DEMO_STOCK = 500;

/**
 * Loads (or resets) the demo disc with 500 copies and its customer. Orders of the demo disc are
 * removed first, so every stress run starts from the same state and the ledger stays balanced.
 */
export async function seedShop({ db }: ServiceContext): Promise<string> {
  await db.transaction().execute(async (trx) => {
    await sql`DELETE FROM shop.purchase_orders WHERE disc_id = ${DEMO_DISC_ID}`.execute(trx);
    await sql`DELETE FROM shop.discs WHERE id = ${DEMO_DISC_ID}`.execute(trx);
    await sql`
      INSERT INTO shop.discs (id, name, artist, year_of_release, genre, quantity)
      VALUES (${DEMO_DISC_ID}, 'We are Reactive', 'Hohpe', 2022, 'Indie', ${DEMO_STOCK})`.execute(trx);
    await sql`
      INSERT INTO shop.stock_movements (disc_id, delta, reason) VALUES (${DEMO_DISC_ID}, ${DEMO_STOCK}, 'initial')`.execute(
      trx,
    );
    await sql`
      INSERT INTO shop.customers (id, document, name, birth_date, email, phone)
      VALUES (${DEMO_CUSTOMER_ID}, '12345678900', 'John Doe', '1990-01-01', 'john.doe@example.com', '+5511999999999')
      ON CONFLICT (id) DO UPDATE SET is_active = true`.execute(trx);
  });
  return `shop: demo disc ${DEMO_DISC_ID} with ${DEMO_STOCK} copies, customer ${DEMO_CUSTOMER_ID} (John Doe)`;
}
