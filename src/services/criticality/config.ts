import { secretFromEnv } from '../../platform/auth/env-secret.js';
import { ConfigError, envReader, type Env, type EnvVars } from '../../platform/config.js';
import type { Logger } from '../../platform/logger.js';

export interface CriticalityConfig {
  /** The original's one token, accepted for any app name that has none of its own. */
  sharedToken: string;
  /** Guards /secapp/apps, /secapp/consumers and /secapp/history. */
  adminToken: string;
  staleAfterMs: number;
  checkIntervalMs: number;
  /** Where alerts are POSTed; unset, alerts are logged and counted only. */
  alertWebhook: URL | undefined;
}

export const CRITICALITY_ENV = {
  SECAPP_API_TOKEN: {
    default: 'dev-secapp-token',
    doc: 'the token (header `token`) every app without a token of its own sends, as in the original; production refuses the default',
  },
  CRITICALITY_ADMIN_TOKEN: {
    default: 'dev-admin-token',
    doc: 'bearer token of /secapp/apps, /secapp/consumers and /secapp/history; production refuses the default',
  },
  CRITICALITY_STALE_AFTER: {
    default: '10m',
    doc: 'silence after which a consumer app raises a stale alert: 500ms, 30s, 10m, 1h (a bare number is seconds)',
  },
  CRITICALITY_CHECK_INTERVAL: {
    default: '15s',
    doc: 'how often each worker process looks for stale consumers (same format); an alert fires within the window plus this',
  },
  CRITICALITY_ALERT_WEBHOOK: {
    default: '(unset: alerts are logged and counted only)',
    doc: 'http(s) URL that receives each stale alert and its clearing as a JSON POST, retried with backoff',
  },
} satisfies EnvVars;

const DAY_MS = 24 * 3600 * 1000;

/** The settings that need no secret: what the workers read. */
export function alertConfig(env: Env): Omit<CriticalityConfig, 'sharedToken' | 'adminToken'> {
  const vars = envReader(env, CRITICALITY_ENV);
  return {
    staleAfterMs: vars.durationMs('CRITICALITY_STALE_AFTER', 100, 7 * DAY_MS),
    checkIntervalMs: vars.durationMs('CRITICALITY_CHECK_INTERVAL', 50, DAY_MS),
    alertWebhook: webhook(env.CRITICALITY_ALERT_WEBHOOK),
  };
}

export function criticalityConfig(env: Env, log: Logger): CriticalityConfig {
  return {
    sharedToken: secretFromEnv(env, CRITICALITY_ENV, 'SECAPP_API_TOKEN', log),
    adminToken: secretFromEnv(env, CRITICALITY_ENV, 'CRITICALITY_ADMIN_TOKEN', log),
    ...alertConfig(env),
  };
}

function webhook(raw: string | undefined): URL | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw.trim());
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new ConfigError('CRITICALITY_ALERT_WEBHOOK', `must be an http(s) URL, got "${raw}"`);
  return url;
}
