import { isIP } from 'node:net';
import path from 'node:path';

/** Thrown when an environment variable holds a value the product cannot run with. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  http: {
    host: string;
    port: number;
    shutdownTimeoutMs: number;
    maxEventLoopDelayMs: number;
    maxDbWaiting: number;
    /** Whose X-Forwarded-For to believe for the client's address (Fastify's trustProxy). */
    trustProxy: boolean | number | string[];
  };
  db: { url: string | undefined; poolSize: number };
  /** Unset: events go through PostgreSQL; set: through NATS JetStream at this address. */
  events: {
    natsUrl: string | undefined;
    natsReplicas: number;
    natsPrefix: string;
    /** PostgreSQL stream: how long a publish waits for others to share its write. */
    publishLingerMs: number;
  };
  dataDir: string;
  /** Where routes that ask for it write their daily request log files. */
  logDir: string;
  logLevel: LogLevel;
  /** Service names to mount; undefined mounts every known service. */
  services: string[] | undefined;
}

/** Every variable the platform reads, with its default and meaning; services add their own. */
export const ENV_VARS = {
  PORT: { default: '8080', doc: 'HTTP port' },
  HOST: { default: '127.0.0.1', doc: 'interface to listen on (0.0.0.0 for all)' },
  TRUST_PROXY: {
    default: 'false',
    doc: "which proxies' X-Forwarded-For gives the client's address: true (any), a number of hops, or addresses/CIDRs",
  },
  DATABASE_URL: { default: '(unset: embedded PostgreSQL)', doc: 'PostgreSQL connection string' },
  NATS_URL: {
    default: '(unset: events through PostgreSQL)',
    doc: 'NATS server(s) with JetStream for the event streams, e.g. nats://127.0.0.1:4222',
  },
  NATS_PREFIX: {
    default: 'crucible',
    doc: "names this deployment's JetStream streams and subjects, so deployments can share a NATS server",
  },
  NATS_REPLICAS: { default: '1', doc: 'copies of each JetStream stream (3 on a 3-node cluster)' },
  EVENTS_PUBLISH_LINGER_MS: {
    default: '5',
    doc: 'PostgreSQL stream: how long a publish waits to share its write and commit with others (0: off)',
  },
  DATA_DIR: { default: '.data', doc: 'where the embedded database and files live' },
  DB_POOL_SIZE: { default: '20', doc: 'connections in the pool of each process' },
  LOG_LEVEL: { default: 'info', doc: LOG_LEVELS.join(', ') },
  NODE_ENV: {
    default: 'development',
    doc: 'production refuses to start with a secret that is missing or left at its development default',
  },
  LOG_DIR: { default: 'logs', doc: 'where daily request log files (log_dd_mm_yyyy.log) are written' },
  SERVICES: { default: '(all)', doc: 'comma-separated services to serve, e.g. shop' },
  SHUTDOWN_TIMEOUT_MS: { default: '10000', doc: 'how long a shutdown may drain before it is forced' },
  MAX_EVENT_LOOP_DELAY_MS: {
    default: '1000',
    doc: 'event-loop delay above which requests are shed with 503 (0: off)',
  },
  MAX_DB_WAITING: {
    default: '2000',
    doc: 'queries waiting for a pooled connection at which requests are shed with 503',
  },
} as const satisfies EnvVars;

export type Env = Record<string, string | undefined>;

/** Variables with their default (as the README and `.env.example` show it) and meaning. */
export type EnvVars = Record<string, { default: string; doc: string }>;

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Reads variables of one table: an unset or empty variable takes the table's default, so each
 * default is written once, where it is documented. A wrong value throws a ConfigError naming it.
 */
export function envReader<V extends EnvVars>(env: Env, vars: V) {
  const read = (name: keyof V & string) => {
    const raw = env[name];
    return raw === undefined || raw === '' ? vars[name]!.default : raw;
  };
  return {
    text: read,
    int(name: keyof V & string, min: number, max: number): number {
      const raw = read(name);
      const value = Number(raw);
      if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max) {
        throw new ConfigError(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
      }
      return value;
    },
    /**
     * A duration such as `250ms`, `30s`, `10m` or `1h`; a bare number is seconds. In
     * milliseconds, from `minMs` to `maxMs`.
     */
    durationMs(name: keyof V & string, minMs: number, maxMs: number): number {
      const raw = read(name);
      const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(raw.trim());
      const ms = match ? Number(match[1]) * DURATION_UNITS[match[2] ?? 's']! : NaN;
      if (!(ms >= minMs && ms <= maxMs)) {
        throw new ConfigError(
          name,
          `must be a duration like 500ms, 30s, 10m or 1h (a bare number is seconds) from ${minMs} ms to ${maxMs / 1000} s, got "${raw}"`,
        );
      }
      return Math.round(ms);
    },
    oneOf<T extends string>(name: keyof V & string, allowed: readonly T[]): T {
      const raw = read(name);
      if (!(allowed as readonly string[]).includes(raw)) {
        throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
      }
      return raw as T;
    },
  };
}

function databaseUrl(env: Env): string | undefined {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      'DATABASE_URL',
      `must be a URL like postgres://user:pass@host:5432/db, got "${raw}"`,
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(
      'DATABASE_URL',
      `must start with postgres:// or postgresql://, got "${url.protocol}"`,
    );
  }
  return raw;
}

function natsUrl(env: Env): string | undefined {
  const raw = env.NATS_URL;
  if (raw === undefined || raw.trim() === '') return undefined;
  for (const server of raw.split(',')) {
    if (!/^(nats|tls|wss?):\/\/[^\s/]+(:\d+)?\/?$/.test(server.trim())) {
      throw new ConfigError(
        'NATS_URL',
        `must be nats://host:port (comma-separated for a cluster), got "${raw}"`,
      );
    }
  }
  return raw;
}

function natsPrefix(raw: string): string {
  if (!/^[a-z][a-z0-9_-]{0,31}$/.test(raw)) {
    throw new ConfigError(
      'NATS_PREFIX',
      `must be lowercase letters, digits, _ or - (up to 32), got "${raw}"`,
    );
  }
  return raw;
}

/**
 * Off by default: behind no proxy, a client could name any address in X-Forwarded-For. Behind
 * nginx, name the proxy (`127.0.0.1`) or count the hops, so per-client limits see the client.
 */
function trustProxy(given: string): boolean | number | string[] {
  const raw = given.trim();
  if (raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw) && Number(raw) <= 16) return Number(raw);
  const items = raw.split(',').map((item) => item.trim());
  const valid = (item: string) => {
    const [address, prefix, extra] = item.split('/');
    const family = isIP(address ?? '');
    if (!family || extra !== undefined) return false;
    return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
  };
  if (!items.every(valid)) {
    throw new ConfigError(
      'TRUST_PROXY',
      `must be true, false, a number of proxies (up to 16), or comma-separated addresses or CIDRs such as 127.0.0.1,10.0.0.0/8, got "${raw}"`,
    );
  }
  return items;
}

function serviceList(env: Env): string[] | undefined {
  const raw = env.SERVICES;
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Reads and checks the environment; a wrong value throws a ConfigError naming the variable. */
export function loadConfig(env: Env = process.env): Config {
  const vars = envReader(env, ENV_VARS);
  return {
    http: {
      host: vars.text('HOST'),
      port: vars.int('PORT', 0, 65535),
      shutdownTimeoutMs: vars.int('SHUTDOWN_TIMEOUT_MS', 0, 600_000),
      maxEventLoopDelayMs: vars.int('MAX_EVENT_LOOP_DELAY_MS', 0, 60_000),
      maxDbWaiting: vars.int('MAX_DB_WAITING', 1, 1_000_000),
      trustProxy: trustProxy(vars.text('TRUST_PROXY')),
    },
    db: { url: databaseUrl(env), poolSize: vars.int('DB_POOL_SIZE', 1, 1000) },
    // JetStream keeps at most 5 copies of a stream.
    events: {
      natsUrl: natsUrl(env),
      natsReplicas: vars.int('NATS_REPLICAS', 1, 5),
      natsPrefix: natsPrefix(vars.text('NATS_PREFIX')),
      publishLingerMs: vars.int('EVENTS_PUBLISH_LINGER_MS', 0, 1000),
    },
    dataDir: path.resolve(vars.text('DATA_DIR')),
    logDir: path.resolve(vars.text('LOG_DIR')),
    logLevel: vars.oneOf('LOG_LEVEL', LOG_LEVELS),
    services: serviceList(env),
  };
}
