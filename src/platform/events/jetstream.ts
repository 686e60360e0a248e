import type pg from 'pg';
import type { Logger } from '../logger.js';
import type { EventBus } from './events.js';

export interface JetStreamBusOptions {
  url: string;
  pool: pg.Pool;
  log: Logger;
}

/** Placeholder until the adapter lands: refuses clearly instead of falling back silently. */
export function createJetStreamBus(opts: JetStreamBusOptions): Promise<EventBus> {
  return Promise.reject(new Error(`NATS_URL=${opts.url}: the JetStream adapter is not built yet`));
}
