import { randomUUID } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { createDatabase } from '../../../src/platform/db/database.js';
import { migrateService } from '../../../src/platform/db/migrate.js';
import type { Delivery } from '../../../src/platform/events/events.js';
import * as init from '../../../src/platform/events/migrations/2026-11-23T1000-init.js';
import { createPostgresBus } from '../../../src/platform/events/postgres.js';
import { eventsSchema } from '../../../src/platform/events/start.js';
import { createLogger } from '../../../src/platform/logger.js';
import { createTestDatabase, testPool } from '../../helpers.js';
import { waitFor } from './contract.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

it('messages pending in the one-row-per-event table are delivered after the move to segments', async () => {
  const database = await createTestDatabase();
  cleanups.push(() => database.drop());
  const log = createLogger('warn');
  const migrator = createDatabase({ url: database.url, poolSize: 2 }, log);
  await migrateService(migrator.db, { name: 'events', migrations: { '2026-11-23T1000-init': init } }, log);
  const pool = testPool(database.url, 4);
  cleanups.push(() => pool.end());
  await pool.query(`INSERT INTO events.streams VALUES ('s', 2); INSERT INTO events.groups VALUES ('s', 'g')`);
  const old = [0, 1, 2].map((n) => ({ id: randomUUID(), key: `k${n}`, data: { n } }));
  for (const e of old) {
    await pool.query(
      `INSERT INTO events.messages (stream, grp, part, id, key, data, attempts) VALUES ('s', 'g', 0, $1, $2, $3, 1)`,
      [e.id, e.key, JSON.stringify(e.data)],
    );
  }
  await migrateService(migrator.db, eventsSchema, log);
  await migrator.close();

  const bus = createPostgresBus({ pool, log, idlePollMs: 20 });
  cleanups.push(() => bus.close());
  expect(await bus.pending('s', 'g')).toBe(3);
  const seen: Delivery[] = [];
  await bus.consume({ stream: 's', group: 'g', handle: async (b) => void seen.push(...b) });
  await waitFor(() => seen.length >= 3, 10_000, 'the moved messages');
  expect(seen.map((d) => ({ id: d.id, key: d.key, data: d.data, attempt: d.attempt }))).toEqual(
    old.map((e) => ({ ...e, attempt: 2 })),
  );
  await waitFor(async () => (await bus.pending('s', 'g')) === 0, 10_000, 'nothing pending');
});
