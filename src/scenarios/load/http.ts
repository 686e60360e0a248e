/**
 * The HTTP side of the generator: one undici pool with keep-alive and no pipelining, a deadline
 * per request, and every body read to its end (isGood may need it, and an unread body would
 * hold its socket).
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { RequestSpec } from '../model.js';

/** Judges one answer; `request` is what was sent (e.g. to note which keys were accepted). */
export type IsGood = (status: number, body: string, request: RequestSpec) => boolean;

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

/** A request in flight, and how to end it from outside. */
interface Live {
  controller: AbortController;
  settle(outcome: Outcome): void;
}

export class HttpClient {
  private readonly pool: Pool;
  private readonly timeoutMs: number;
  private readonly isGood: IsGood | undefined;
  /** The requests in flight, so that a drain that runs out of time can end them. */
  private readonly live = new Set<Live>();
  private idle: (() => void) | undefined;
  /** The first body of each bad status, so a report can say what the errors said. */
  readonly samples: Record<string, string> = {};

  constructor(opts: HttpClientOptions) {
    this.timeoutMs = opts.timeoutMs;
    this.isGood = opts.isGood;
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
    const encoded = encode(spec);
    return new Promise<Outcome>((resolve, reject) => {
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this.timeoutMs);
      let done = false;
      const end = () => {
        done = true;
        clearTimeout(timer);
        this.live.delete(entry);
        if (this.live.size === 0) this.idle?.();
      };
      const entry: Live = {
        controller,
        settle: (outcome) => {
          if (done) return;
          end();
          resolve(outcome);
        },
      };
      this.live.add(entry);
      void this.exchange(spec, encoded, controller.signal).then(({ status, text }) => {
        if (done) return;
        const doneAt = performance.now();
        let good: boolean;
        try {
          good = status !== 0 && (this.isGood ? this.isGood(status, text, spec) : is2xx(status));
        } catch (err) {
          end();
          reject(err);
          return;
        }
        if (!good && status !== 0 && text && !(status in this.samples)) {
          this.samples[status] = text.slice(0, SAMPLE_CHARS);
        }
        entry.settle({ status, good, timedOut: status === 0 && timedOut, doneAt });
      });
    });
  }

  /** One exchange; status 0 when there was no complete answer. Never rejects. */
  private async exchange(
    spec: RequestSpec,
    { headers, body }: Encoded,
    signal: AbortSignal,
  ): Promise<{ status: number; text: string }> {
    try {
      const res = await this.pool.request({ method: spec.method, path: spec.path, headers, body, signal });
      if (this.isGood) return { status: res.statusCode, text: await res.body.text() };
      // Read to the end without decoding: the default verdict needs only the status.
      for await (const _chunk of res.body);
      return { status: res.statusCode, text: '' };
    } catch {
      return { status: 0, text: '' };
    }
  }

  /**
   * Waits until nothing is in flight, at most `maxMs`. What is still in flight then is past its
   * deadline (every request was sent before the drain began, with `timeoutMs` < `maxMs`): it is
   * aborted and settled as a timeout at once, so every send is accounted for when this resolves.
   */
  async drain(maxMs: number): Promise<void> {
    if (!(await this.whenIdle(maxMs))) {
      const now = performance.now();
      for (const entry of [...this.live]) {
        entry.controller.abort();
        entry.settle({ status: 0, good: false, timedOut: true, doneAt: now });
      }
    }
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
    await this.pool.destroy();
  }
}
