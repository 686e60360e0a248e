import { envReader, type Env, type EnvVars } from '../../platform/config.js';

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
} satisfies EnvVars;

export function trackingConfig(env: Env): TrackingConfig {
  const vars = envReader(env, TRACKING_ENV);
  return {
    consumers: vars.int('TRACKING_CONSUMERS', 1, 64),
    batchSize: vars.int('TRACKING_BATCH_SIZE', 1, 10_000),
    retryDelayMs: vars.int('TRACKING_RETRY_DELAY_MS', 0, 60_000),
    lingerMs: vars.int('TRACKING_LINGER_MS', 0, 10_000),
  };
}
