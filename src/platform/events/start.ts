import type pg from 'pg';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { EventBus } from './events.js';
import * as init from './migrations/2026-11-23T1000-init.js';
import * as segments from './migrations/2026-11-24T1000-segments.js';
import * as segmentsVacuum from './migrations/2026-11-24T1100-segments-vacuum.js';
import { createPostgresBus } from './postgres.js';

/** The events schema, migrated like a service's (its own schema and history). */
export const eventsSchema = {
  name: 'events',
  migrations: {
    '2026-11-23T1000-init': init,
    '2026-11-24T1000-segments': segments,
    '2026-11-24T1100-segments-vacuum': segmentsVacuum,
  },
};

/** PostgreSQL unless NATS_URL names a JetStream server; the broker is never picked up unasked. */
export async function startEventBus(config: Config, pool: pg.Pool, log: Logger): Promise<EventBus> {
  const natsUrl = config.events.natsUrl;
  if (!natsUrl) {
    return createPostgresBus({
      pool,
      log: log.child({ bus: 'postgres' }),
      publishLingerMs: config.events.publishLingerMs,
    });
  }
  const { createJetStreamBus } = await import('./jetstream.js');
  return createJetStreamBus({
    url: natsUrl,
    pool,
    log: log.child({ bus: 'jetstream' }),
    replicas: config.events.natsReplicas,
    prefix: config.events.natsPrefix,
  });
}
