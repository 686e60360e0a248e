import { envInt, type Env } from '../../platform/config.js';

export interface TrackingConfig {
  /** Consumers each worker process runs; they share the stream's partitions. */
  consumers: number;
  batchSize: number;
  retryDelayMs: number;
  lingerMs: number;
}

export const TRACKING_ENV = {
  TRACKING_CONSUMERS: {
    default: '4',
    doc: 'consumers of the tracking stream in each worker process (they share its 16 partitions)',
  },
  TRACKING_BATCH_SIZE: {
    default: '10000',
    doc: 'most interactions a consumer stores in one transaction',
  },
  TRACKING_LINGER_MS: {
    default: '100',
    doc: 'wait before the next fetch after a batch less than half full: fewer, larger transactions when traffic is light',
  },
  TRACKING_RETRY_DELAY_MS: {
    default: '1000',
    doc: 'delay before a failed message is tried again; doubles each try, 5 tries, then dead letter',
  },
};

export function trackingConfig(env: Env): TrackingConfig {
  return {
    consumers: envInt(env, 'TRACKING_CONSUMERS', 4, 1, 64),
    batchSize: envInt(env, 'TRACKING_BATCH_SIZE', 10_000, 1, 10_000),
    retryDelayMs: envInt(env, 'TRACKING_RETRY_DELAY_MS', 1000, 0, 60_000),
    lingerMs: envInt(env, 'TRACKING_LINGER_MS', 100, 0, 10_000),
  };
}
