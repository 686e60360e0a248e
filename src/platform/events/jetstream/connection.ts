import {
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../../logger.js';
import { BusUnavailableError } from '../events.js';

/** JetStream counts durations (ack wait, NAK delays) and publish times in nanoseconds. */
export const NANOS_PER_MS = 1_000_000;
/** The server's default largest message, for a server that does not say. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

export const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
export const isApiError = (err: unknown, code: number) =>
  err instanceof JetStreamApiError && err.code === code;

export const unavailable = (what: string, err: unknown) =>
  err instanceof BusUnavailableError
    ? err
    : new BusUnavailableError(`${what}: ${message(err)}`, { cause: err });

/** One NATS connection, shared by everything the bus does. */
export interface Connection {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** How long a JetStream API call, a pull or an ack may wait for the server. */
  readonly timeout: number;
  /** False from a disconnect until the client has reconnected. */
  readonly connected: boolean;
  /** Run on a disconnect: requests in flight would otherwise wait for their timeout. */
  readonly onDisconnect: Set<() => void>;
  /** The largest message the server takes. */
  maxPayload(): number;
}

export async function openConnection(url: string, timeout: number, log: Logger): Promise<Connection> {
  const nc = await connect({
    servers: url.split(',').map((s) => s.trim()),
    name: 'crucible',
    // Forever: a broker restart or a lost cluster node is waited out, never fatal.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    timeout,
    // By default every request (each publish waits for its ack) builds two Error objects up front,
    // for a stack trace should it fail: 45 % of a busy server's CPU in a profile of batched
    // publishes. Errors keep their message without the caller's stack.
    noAsyncTraces: true,
  });
  const js = jetstream(nc, { timeout });
  const jsm = await jetstreamManager(nc, { timeout, checkAPI: false });
  const conn = {
    nc,
    js,
    jsm,
    timeout,
    connected: true,
    onDisconnect: new Set<() => void>(),
    maxPayload: () => nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD,
  };

  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        conn.connected = false;
        for (const abort of conn.onDisconnect) abort();
        log.warn({ server: s.server }, 'NATS connection lost; reconnecting');
      } else if (s.type === 'reconnect') {
        conn.connected = true;
        log.info({ server: s.server }, 'NATS connection back');
      }
    }
  })().catch(() => undefined);

  return conn;
}
