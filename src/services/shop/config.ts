import { envOneOf, type Env } from '../../platform/config.js';

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
};

export function shopConfig(env: Env): ShopConfig {
  return { concurrency: envOneOf(env, 'SHOP_CONCURRENCY', CONCURRENCY_MODES, 'atomic') };
}
