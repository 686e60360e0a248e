import { envReader, type Env, type EnvVars } from '../../platform/config.js';

export const CONCURRENCY_MODES = [
  'atomic',
  'pessimistic',
  'optimistic',
  'queued',
  'grouped',
  'breaker',
] as const;
export type Concurrency = (typeof CONCURRENCY_MODES)[number];

export interface ShopConfig {
  concurrency: Concurrency;
}

export const SHOP_ENV = {
  SHOP_CONCURRENCY: {
    default: 'atomic',
    doc: `how purchases are serialized: ${CONCURRENCY_MODES.join(', ')}`,
  },
} satisfies EnvVars;

export function shopConfig(env: Env): ShopConfig {
  return { concurrency: envReader(env, SHOP_ENV).oneOf('SHOP_CONCURRENCY', CONCURRENCY_MODES) };
}
