import { ConfigError, envReader, type Env, type EnvVars } from '../../platform/config.js';

export interface ShowcaseConfig {
  /** The JWT signing key from the environment; unset, one is shared through the database. */
  jwtSecret: string | undefined;
  tokenTtlSeconds: number;
  maxUploadBytes: number;
  loginAccountLimit: number;
  loginAddressLimit: number;
  loginWindowSeconds: number;
  /** Tries of a processing job after its first; the last one marks the video failed. */
  processRetries: number;
  /** Seconds before the first retry, doubled at each next one. */
  processRetryDelaySeconds: number;
}

export const SHOWCASE_ENV = {
  SHOWCASE_JWT_SECRET: {
    default: '(unset: a random key kept in the database, the same for every instance)',
    doc: 'HS256 key of the login tokens, at least 32 bytes; set it to share tokens with another deployment',
  },
  SHOWCASE_TOKEN_TTL: {
    default: '1h',
    doc: 'how long a login token is valid (expires_in): 30s, 10m, 1h (a bare number is seconds)',
  },
  SHOWCASE_MAX_UPLOAD_MB: {
    default: '100',
    doc: 'largest video upload accepted, in MiB (the original took 100)',
  },
  SHOWCASE_LOGIN_ACCOUNT_LIMIT: {
    default: '10',
    doc: 'login attempts per account in a window, then 429 with Retry-After; a good login clears them',
  },
  SHOWCASE_LOGIN_ADDRESS_LIMIT: {
    default: '200',
    doc: 'login attempts per client address in a window (behind a proxy, set TRUST_PROXY); raise it for load tests from one host',
  },
  SHOWCASE_LOGIN_WINDOW: {
    default: '15m',
    doc: 'the login attempt window: 30s, 15m, 1h',
  },
  SHOWCASE_PROCESS_RETRIES: {
    default: '2',
    doc: 'retries of a processing job that failed for a passing reason (a stalled or cancelled encode); after the last the video is failed',
  },
  SHOWCASE_PROCESS_RETRY_DELAY: {
    default: '5s',
    doc: 'wait before the first retry of a processing job, doubled at each next one (1s, 30s, 2m)',
  },
} satisfies EnvVars;

const HOUR_MS = 3600 * 1000;

export function showcaseConfig(env: Env): ShowcaseConfig {
  const vars = envReader(env, SHOWCASE_ENV);
  const secret = env.SHOWCASE_JWT_SECRET?.trim() ? env.SHOWCASE_JWT_SECRET : undefined;
  if (secret !== undefined && Buffer.byteLength(secret) < 32)
    throw new ConfigError(
      'SHOWCASE_JWT_SECRET',
      'must be at least 32 bytes (openssl rand -base64 32 makes one)',
    );
  return {
    jwtSecret: secret,
    tokenTtlSeconds: vars.durationMs('SHOWCASE_TOKEN_TTL', 1000, 30 * 24 * HOUR_MS) / 1000,
    maxUploadBytes: vars.int('SHOWCASE_MAX_UPLOAD_MB', 1, 10_240) * 1024 * 1024,
    loginAccountLimit: vars.int('SHOWCASE_LOGIN_ACCOUNT_LIMIT', 1, 1_000_000),
    loginAddressLimit: vars.int('SHOWCASE_LOGIN_ADDRESS_LIMIT', 1, 1_000_000),
    loginWindowSeconds: vars.durationMs('SHOWCASE_LOGIN_WINDOW', 1000, 24 * HOUR_MS) / 1000,
    processRetries: vars.int('SHOWCASE_PROCESS_RETRIES', 0, 20),
    // pg-boss counts the delay in whole seconds.
    processRetryDelaySeconds: Math.round(
      vars.durationMs('SHOWCASE_PROCESS_RETRY_DELAY', 1000, HOUR_MS) / 1000,
    ),
  };
}
