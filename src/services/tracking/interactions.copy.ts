import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { StoredInteraction } from './interactions.rules.js';

/**
 * The fast way to store a batch: COPY in PostgreSQL's binary format. Binary values need no
 * parsing on the server (a uuid is 16 bytes, an instant 8), so a row costs PostgreSQL about
 * 40 % less CPU than through the INSERT … SELECT unnest(…) statement (`npm run bench:tracking`).
 * COPY has no ON CONFLICT: a batch holding an id already stored fails whole with
 * unique_violation, and the caller stores it the other way.
 */

const COLUMNS = 7;
const COPY_SQL = `COPY tracking.interactions
  (id, interaction_type, target_element_id, target_element_type, campaign_id, occurred_at, received_at)
  FROM STDIN (FORMAT binary)`;
/** "PGCOPY\n\377\r\n\0", then no flags and no header extension. */
const HEADER = Buffer.from([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
/** Field count (2), uuid (4 + 16), four text lengths (4 each), two instants (4 + 8 each). */
const FIXED_BYTES_PER_ROW = 2 + 20 + 16 + 24;

/** The COPY data of a batch: header, one tuple per row, trailer. */
export function encodeBinaryCopy(rows: StoredInteraction[]): Buffer {
  let size = HEADER.length + 2;
  for (const r of rows) {
    size +=
      FIXED_BYTES_PER_ROW +
      Buffer.byteLength(r.interaction_type) +
      Buffer.byteLength(r.target_element_id) +
      Buffer.byteLength(r.target_element_type) +
      Buffer.byteLength(r.campaign_id);
  }
  const buf = Buffer.allocUnsafe(size);
  let at = HEADER.copy(buf, 0);
  const text = (value: string) => {
    const n = buf.write(value, at + 4, 'utf8');
    buf.writeInt32BE(n, at);
    at += 4 + n;
  };
  // Microseconds since 2000-01-01 UTC; years 1 to 9999 pass 2^53, hence BigInt.
  const instant = (iso: string) => {
    buf.writeInt32BE(8, at);
    buf.writeBigInt64BE(BigInt(Date.parse(iso) - PG_EPOCH_MS) * 1000n, at + 4);
    at += 12;
  };
  for (const r of rows) {
    buf.writeInt16BE(COLUMNS, at);
    buf.writeInt32BE(16, at + 2);
    at += 6;
    // Ids were checked as UUIDs: 32 hex digits once the dashes are gone.
    at += buf.write(r.id.replaceAll('-', ''), at, 'hex');
    text(r.interaction_type);
    text(r.target_element_id);
    text(r.target_element_type);
    text(r.campaign_id);
    instant(r.occurred_at);
    instant(r.received_at);
  }
  buf.writeInt16BE(-1, at);
  return buf;
}

/** Runs COPY on `client` (inside the caller's transaction). */
export async function copyInteractions(client: pg.PoolClient, rows: StoredInteraction[]): Promise<void> {
  await pipeline(Readable.from([encodeBinaryCopy(rows)]), client.query(copyFrom(COPY_SQL)));
}
