import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/platform/db/database.js';
import { tracking } from '../../src/services/tracking/index.js';
import {
  copyAndCount,
  findInteraction,
  storeInteractions,
} from '../../src/services/tracking/interactions.repository.js';
import type { StoredInteraction } from '../../src/services/tracking/interactions.rules.js';
import { canonicalMs } from '../../src/services/tracking/time.js';
import { migratedTestDatabase } from '../helpers.js';

let database: Database;

// One connection: a COPY that failed must leave it usable for what comes next.
beforeAll(async () => (database = await migratedTestDatabase([tracking], 1)));
afterAll(() => database?.close());

const row = (over: Partial<StoredInteraction> = {}): StoredInteraction => ({
  id: randomUUID(),
  interaction_type: 'click',
  target_element_id: 'banner-1',
  target_element_type: 'banner',
  campaign_id: `c-${randomUUID()}`,
  occurred_at: '2026-11-24T10:00:00.000Z',
  received_at: '2026-11-24T10:00:01.000Z',
  ...over,
});

async function counters(campaign: string) {
  const { rows } = await database.pool.query<{ day: string; type: string; count: string }>(
    `SELECT day::text, interaction_type AS type, count FROM tracking.daily_interactions
     WHERE campaign_id = $1 ORDER BY 1, 2`,
    [campaign],
  );
  return rows.map((r) => ({ ...r, count: Number(r.count) }));
}

async function outcomes(slot: number) {
  const { rows } = await database.pool.query<{ day: string; count: string }>(
    `SELECT day::text, count FROM tracking.daily_outcomes WHERE status = 'ok' AND slot = $1 ORDER BY 1`,
    [slot],
  );
  return rows.map((r) => ({ ...r, count: Number(r.count) }));
}

const stored = async (r: StoredInteraction) => {
  const found = await findInteraction(database.db, r.id);
  return (
    found && {
      id: found.id,
      interaction_type: found.interaction_type,
      target_element_id: found.target_element_id,
      target_element_type: found.target_element_type,
      campaign_id: found.campaign_id,
      occurred_at: found.occurred_at.toISOString(),
      received_at: found.received_at.toISOString(),
    }
  );
};

describe('storing a batch with COPY (binary)', () => {
  it('stores every value as it came: edge instants, any text, ids in capitals', async () => {
    const campaign = `c-${randomUUID()}`;
    const rows = [
      row({ campaign_id: campaign, occurred_at: '0001-01-01T00:00:00.000Z' }),
      row({ campaign_id: campaign, occurred_at: '9999-12-31T23:59:59.999Z' }),
      row({ campaign_id: campaign, occurred_at: '1969-07-20T20:17:40.123Z' }),
      row({
        campaign_id: campaign,
        target_element_id: 'tab\there, line\nthere, back\\slash, "quote" ünï 🎯',
      }),
      row({ campaign_id: campaign, interaction_type: 'like', target_element_type: 'x'.repeat(64) }),
      row({ campaign_id: campaign, id: randomUUID().toUpperCase() }),
    ];
    expect(await copyAndCount(database.pool, database.db, rows, 3)).toBe(rows.length);
    for (const r of rows) expect(await stored(r)).toEqual({ ...r, id: r.id.toLowerCase() });
    expect(await counters(campaign)).toEqual([
      { day: '0001-01-01', type: 'click', count: 1 },
      { day: '1969-07-20', type: 'click', count: 1 },
      { day: '2026-11-24', type: 'click', count: 2 },
      { day: '2026-11-24', type: 'like', count: 1 },
      { day: '9999-12-31', type: 'click', count: 1 },
    ]);
    expect(await outcomes(3)).toEqual([{ day: '2026-11-24', count: rows.length }]);
  });

  it('a redelivered batch is stored the other way: only the new rows are stored and counted', async () => {
    const campaign = `c-${randomUUID()}`;
    const first = [row({ campaign_id: campaign }), row({ campaign_id: campaign })];
    expect(await copyAndCount(database.pool, database.db, first, 4)).toBe(2);
    const again = [...first, row({ campaign_id: campaign, interaction_type: 'view' })];
    expect(await copyAndCount(database.pool, database.db, again, 4)).toBe(1);
    expect(await copyAndCount(database.pool, database.db, again, 4)).toBe(0);
    expect(await counters(campaign)).toEqual([
      { day: '2026-11-24', type: 'click', count: 2 },
      { day: '2026-11-24', type: 'view', count: 1 },
    ]);
    expect(await outcomes(4)).toEqual([{ day: '2026-11-24', count: 3 }]);
    // The only connection went through a failed COPY and a rollback, and still works.
    expect((await database.pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('counts what the statement way counts for the same rows', async () => {
    const campaign = `c-${randomUUID()}`;
    const days = ['2026-11-23T23:59:59.999Z', '2026-11-24T00:00:00.000Z'];
    const make = () =>
      Array.from({ length: 40 }, (_, i) =>
        row({
          campaign_id: campaign,
          interaction_type: (['click', 'view', 'like'] as const)[i % 3],
          occurred_at: days[i % 2],
          received_at: days[(i >> 1) % 2],
        }),
      );
    await copyAndCount(database.pool, database.db, make(), 5);
    const viaCopy = { counters: await counters(campaign), outcomes: await outcomes(5) };
    await database.pool.query(`DELETE FROM tracking.daily_interactions WHERE campaign_id = $1`, [campaign]);
    await database.pool.query(`DELETE FROM tracking.daily_outcomes WHERE slot = 5`);
    await storeInteractions(database.db, make(), 5);
    expect({ counters: await counters(campaign), outcomes: await outcomes(5) }).toEqual(viaCopy);
    expect(viaCopy.outcomes).toEqual([
      { day: '2026-11-23', count: 20 },
      { day: '2026-11-24', count: 20 },
    ]);
  });

  it('any other failure stores nothing and is thrown, for the port to retry', async () => {
    const campaign = `c-${randomUUID()}`;
    // The worker checks types first; the table's CHECK is what would catch one it let through.
    const bad = row({
      campaign_id: campaign,
      interaction_type: 'share' as StoredInteraction['interaction_type'],
    });
    await expect(
      copyAndCount(database.pool, database.db, [row({ campaign_id: campaign }), bad]),
    ).rejects.toThrow(/check constraint/);
    expect(await counters(campaign)).toEqual([]);
    expect((await database.pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('an empty batch stores nothing', async () => {
    expect(await copyAndCount(database.pool, database.db, [])).toBe(0);
  });
});

describe('canonicalMs', () => {
  it('reads what toISOString writes as Date.parse does, over years 1 to 9999', () => {
    const first = Date.parse('0001-01-01T00:00:00.000Z');
    const last = Date.parse('9999-12-31T23:59:59.999Z');
    // An odd step, so days, hours and milliseconds all vary; leap days and centuries included.
    const step = Math.floor((last - first) / 49_999) + 7;
    const wrong: string[] = [];
    for (let t = first; t <= last; t += step) {
      const iso = new Date(t).toISOString();
      if (canonicalMs(iso) !== t) wrong.push(iso);
    }
    for (const iso of ['2000-02-29T12:00:00.000Z', '1900-03-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
      if (canonicalMs(iso) !== Date.parse(iso)) wrong.push(iso);
    }
    expect(wrong).toEqual([]);
  });
});
