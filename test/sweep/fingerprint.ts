import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';

/**
 * What the product holds: each table's rows and each stored file, as one comparable string. A
 * refused write must leave it as it was, whichever resource the write aimed at. An idempotency
 * ledger is left out: it remembers a refusal so that a retry with the same key gets it again. So
 * are the login attempt counters (platform.attempts): counting refused logins is their purpose.
 */
export async function fingerprint(pool: pg.Pool, dataDir: string): Promise<string> {
  const { rows: tables } = await pool.query<{ name: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
        AND table_name NOT LIKE '%idempotency%'
        AND (table_schema, table_name) <> ('platform', 'attempts')
      ORDER BY 1`,
  );
  const sums = tables.map(
    ({ name }) =>
      `(SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM ${name} t)`,
  );
  const { rows } = await pool.query<Record<string, string>>(
    `SELECT ${sums.map((sum, i) => `${sum} AS t${i}`).join(', ') || '1'}`,
  );
  const db = tables.map(({ name }, i) => `${name}=${rows[0]![`t${i}`]}`);
  return [...db, ...(await files(dataDir))].join('\n');
}

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    // The request log is the product recording a request, refused or not; it is not a resource.
    if (/\blogs?\b/.test(path.relative(dir, file))) continue;
    out.push(`${path.relative(dir, file)}:${(await stat(file)).size}`);
  }
  return out.sort();
}
