import type { FastifyReply } from 'fastify';

/**
 * Errors that mean PostgreSQL cannot be reached right now (refused, dropped, shutting down, or no
 * pooled connection in time), as opposed to a query it answered with an error.
 */
export function isDbUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code ?? '';
  return (
    /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|encountered a connection error and is not queryable/i.test(
      error.message,
    ) ||
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03'].includes(code) ||
    code.startsWith('08') // connection_exception and its subclasses
  );
}

export interface Read<T> {
  value: T;
  /** Set when the database could not be reached and the value is the last one read from it. */
  staleSince?: Date;
}

export interface LastGoodOptions {
  /** Entries kept, least recently read dropped first. */
  max: number;
  /**
   * After the database is found unreachable, how long reads answer from memory without trying
   * it; then one read tries again. Keeps an outage from costing every read a failed connect.
   */
  retryAfterMs?: number;
  /**
   * A value read less than this long ago is answered without asking the database (default 0:
   * always ask). For reads whose answer may lag writes made elsewhere by that much; a write this
   * instance makes calls `forget`, so its own next read is fresh.
   */
  freshForMs?: number;
  now?: () => number;
}

/**
 * The AP side of a service's reads: every successful read is remembered, and while PostgreSQL is
 * unreachable a read answers what this instance last read for the key, marked stale. Correctness
 * never depends on it: when the database answers, the database's answer is the one given.
 * A key never read before has nothing to fall back on: its read fails as it would without this.
 */
export class LastGood<T> {
  private readonly entries = new Map<string, { value: T; at: number }>();
  private downUntil = 0;
  private readonly retryAfterMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: LastGoodOptions) {
    this.retryAfterMs = opts.retryAfterMs ?? 500;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** True between an unreachable database and the next read that finds it again. */
  get databaseDown(): boolean {
    return this.downUntil > 0;
  }

  async read(key: string, load: () => Promise<T>): Promise<Read<T>> {
    const kept = this.entries.get(key);
    if (kept && this.now() - kept.at < (this.opts.freshForMs ?? 0)) return { value: kept.value };
    if (kept && this.now() < this.downUntil) return this.hit(key, kept);
    try {
      const value = await load();
      this.downUntil = 0;
      this.remember(key, value);
      return { value };
    } catch (err) {
      if (!isDbUnreachable(err)) throw err;
      this.downUntil = this.now() + this.retryAfterMs;
      if (!kept) throw err;
      return this.hit(key, kept);
    }
  }

  /** Forgets a key, for a write this instance made that changes what it would read. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  private hit(key: string, kept: { value: T; at: number }): Read<T> {
    this.entries.delete(key);
    this.entries.set(key, kept);
    return { value: kept.value, staleSince: new Date(kept.at) };
  }

  private remember(key: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at: this.now() });
    if (this.entries.size > this.opts.max) this.entries.delete(this.entries.keys().next().value!);
  }
}

/**
 * Marks an answer as read from memory while the database was unreachable: `X-Data-Stale` for
 * clients that look for it, `Warning: 110` (RFC 7234) and `Age` for HTTP caches and tools.
 */
export function markStale(reply: FastifyReply, read: Read<unknown>): void {
  if (!read.staleSince) return;
  reply.headers({
    'x-data-stale': 'true',
    warning: '110 - "Response is Stale"',
    age: String(Math.max(0, Math.floor((Date.now() - read.staleSince.getTime()) / 1000))),
  });
}
