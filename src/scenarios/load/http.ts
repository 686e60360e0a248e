/**
 * The HTTP side of the generator: one undici pool with keep-alive and no pipelining, a deadline
 * per request, and every body read to its end (isGood may need it, and an unread body would
 * hold its socket).
 *
 * Requests go through undici's dispatch API, not `request()`: no body stream, no AbortController
 * and no timer per request. At 10,000 requests a second those cost the generator about half of
 * its CPU, on the cores the server under test needs too. Deadlines are kept by one timer: every
 * request has the same timeout and they are sent in order, so the oldest in flight is always the
 * next to expire.
 */
import { performance } from 'node:perf_hooks';
import { Pool, type Dispatcher } from 'undici';
import type { RequestSpec } from '../model.js';

/**
 * Judges one answer; `request` is what was sent (e.g. to note which keys were accepted), `headers`
 * the answer's (lowercase names), e.g. to count reads marked stale.
 */
export type IsGood = (
  status: number,
  body: string,
  request: RequestSpec,
  headers: Record<string, string | string[] | undefined>,
) => boolean;

const NO_HEADERS: Record<string, string | string[] | undefined> = Object.freeze({});

/** How one request ended. `status` 0 means no HTTP answer (refused, reset, timed out). */
export interface Outcome {
  status: number;
  good: boolean;
  /** No answer within the deadline: the request was aborted by us. */
  timedOut: boolean;
  /** `performance.now()` when the answer had been read in full, or the request given up. */
  doneAt: number;
}

export interface HttpClientOptions {
  baseUrl: string;
  connections: number;
  timeoutMs: number;
  /** Undefined: good means 2xx, and bodies are read without being decoded. */
  isGood?: IsGood;
}

/** Undici's own timeouts only back up ours: the per-request deadline is the one that counts. */
const UNDICI_BACKSTOP_MS = 5_000;
/** Idle keep-alive sockets are kept this long (unless the server says less). */
const KEEP_ALIVE_MS = 30_000;

const SAMPLE_CHARS = 500;

const is2xx = (status: number) => status >= 200 && status < 300;

interface Encoded {
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

function encode(spec: RequestSpec): Encoded {
  const headers = { ...spec.headers };
  const body = spec.body;
  if (body === undefined || body === null) return { headers };
  if (typeof body === 'string' || body instanceof Uint8Array) return { headers, body };
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json';
  }
  return { headers, body: JSON.stringify(body) };
}

/** The reason an exchange is aborted with when its deadline passes or the drain gives up. */
const DEADLINE = new Error('deadline passed');

/** One request in flight: undici's callbacks, and its end, which happens exactly once. */
class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private headers = NO_HEADERS;
  private readonly chunks: Buffer[] | undefined;
  done = false;

  constructor(
    readonly deadline: number,
    decode: boolean,
    private readonly end: (
      exchange: Exchange,
      status: number,
      text: string,
      timedOut: boolean,
      headers: Record<string, string | string[] | undefined>,
    ) => void,
  ) {
    this.chunks = decode ? [] : undefined;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // A request given up while it waited for a socket is not sent at all.
    if (this.done) controller.abort(DEADLINE);
    else this.controller = controller;
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    // Called again after a 1xx: the last status is the answer's.
    this.status = statusCode;
    if (this.chunks) this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks?.push(chunk);
  }

  onResponseEnd(): void {
    const text = this.chunks ? Buffer.concat(this.chunks).toString('utf8') : '';
    this.end(this, this.status, text, false, this.headers);
  }

  onResponseError(): void {
    this.end(this, 0, '', false, NO_HEADERS);
  }

  /** Ends it as a timeout, and stops undici's side of it. */
  expire(): void {
    this.end(this, 0, '', true, NO_HEADERS);
    this.controller?.abort(DEADLINE);
  }
}

export class HttpClient {
  private readonly pool: Pool;
  private readonly origin: string;
  private readonly timeoutMs: number;
  private readonly isGood: IsGood | undefined;
  /** In flight, oldest first: the order they were sent in is the order their deadlines pass. */
  private readonly live = new Set<Exchange>();
  private deadlineTimer: NodeJS.Timeout | undefined;
  private idle: (() => void) | undefined;
  /** The first body of each bad status, so a report can say what the errors said. */
  readonly samples: Record<string, string> = {};

  constructor(opts: HttpClientOptions) {
    this.timeoutMs = opts.timeoutMs;
    this.isGood = opts.isGood;
    this.origin = new URL(opts.baseUrl).origin;
    this.pool = new Pool(opts.baseUrl, {
      connections: opts.connections,
      pipelining: 1,
      keepAliveTimeout: KEEP_ALIVE_MS,
      headersTimeout: opts.timeoutMs + UNDICI_BACKSTOP_MS,
      bodyTimeout: opts.timeoutMs + UNDICI_BACKSTOP_MS,
      connect: { timeout: opts.timeoutMs },
    });
  }

  /** Requests sent and not yet finished (queued in the pool included). */
  get inFlight(): number {
    return this.live.size;
  }

  /**
   * Sends one request and reads its answer. Settles exactly once: never rejects for network
   * reasons (those are status 0); rejects only when `isGood` throws, a bug of the scenario.
   */
  send(spec: RequestSpec): Promise<Outcome> {
    // Outside the exchange: a body that cannot be serialized is a bug of the scenario, not a 0.
    const { headers, body } = encode(spec);
    return new Promise<Outcome>((resolve, reject) => {
      const end = (
        exchange: Exchange,
        status: number,
        text: string,
        timedOut: boolean,
        headers: Record<string, string | string[] | undefined>,
      ) => {
        if (exchange.done) return;
        exchange.done = true;
        this.live.delete(exchange);
        if (this.live.size === 0) this.idle?.();
        const doneAt = performance.now();
        let good: boolean;
        try {
          good = status !== 0 && (this.isGood ? this.isGood(status, text, spec, headers) : is2xx(status));
        } catch (err) {
          reject(err);
          return;
        }
        if (!good && status !== 0 && text && !(status in this.samples)) {
          this.samples[status] = text.slice(0, SAMPLE_CHARS);
        }
        resolve({ status, good, timedOut, doneAt });
      };
      const exchange = new Exchange(performance.now() + this.timeoutMs, this.isGood !== undefined, end);
      this.live.add(exchange);
      this.armDeadline();
      try {
        this.pool.dispatch(
          { origin: this.origin, method: spec.method, path: spec.path, headers, body },
          exchange,
        );
      } catch {
        end(exchange, 0, '', false, NO_HEADERS);
      }
    });
  }

  /** One timer, set for the oldest request in flight; it expires whatever is past due. */
  private armDeadline(): void {
    if (this.deadlineTimer || this.live.size === 0) return;
    const oldest = this.live.values().next().value as Exchange;
    this.deadlineTimer = setTimeout(
      () => {
        this.deadlineTimer = undefined;
        const now = performance.now();
        for (const exchange of this.live) {
          if (exchange.deadline > now) break;
          exchange.expire();
        }
        this.armDeadline();
      },
      Math.max(1, Math.ceil(oldest.deadline - performance.now())),
    );
  }

  /**
   * Waits until nothing is in flight, at most `maxMs`. What is still in flight then is past its
   * deadline (every request was sent before the drain began, with `timeoutMs` < `maxMs`): it is
   * aborted and settled as a timeout at once, so every send is accounted for when this resolves.
   */
  async drain(maxMs: number): Promise<void> {
    if (!(await this.whenIdle(maxMs))) {
      for (const exchange of [...this.live]) exchange.expire();
    }
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    // Let the callers' continuations (which record the outcomes) run first.
    await new Promise((resolve) => setImmediate(resolve));
  }

  private whenIdle(maxMs: number): Promise<boolean> {
    if (this.live.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idle = undefined;
        resolve(false);
      }, maxMs);
      this.idle = () => {
        clearTimeout(timer);
        this.idle = undefined;
        resolve(true);
      };
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.deadlineTimer);
    await this.pool.destroy();
  }
}
