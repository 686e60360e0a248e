import { checkPublishable, type NewEvent } from './events.js';

interface Entry {
  events: NewEvent[];
  resolve(): void;
  reject(err: unknown): void;
}

export interface CoalescerOptions {
  /** Writes running at once (default 1). */
  maxInFlight?: number;
  /** Most events in one write (default 5000); a larger single publish still goes whole. */
  maxEvents?: number;
  /**
   * How long a write waits for company before it starts (default 0). Only while fewer than
   * `lingerBelow` events are queued: a batch that already fills a write goes at once.
   */
  lingerMs?: number;
  lingerBelow?: number;
}

/**
 * Group commit for publishes: callers that arrive while a write runs, or while the next one
 * lingers, go together in the next write. The linger is what makes the groups large: at 5,000
 * single POSTs a second, writes that started at once carried 3 or 4 events each, and each
 * write's transaction cost PostgreSQL more than the events in it (docs/events.md).
 */
export class PublishCoalescer {
  private readonly queued = new Map<string, Entry[]>();
  private queuedEvents = 0;
  private inFlight = 0;
  private lingering: NodeJS.Timeout | undefined;
  private lingered = false;
  private idle: (() => void)[] = [];
  private readonly maxInFlight: number;
  private readonly maxEvents: number;
  private readonly lingerMs: number;
  private readonly lingerBelow: number;

  constructor(
    private readonly write: (stream: string, events: NewEvent[]) => Promise<void>,
    opts: CoalescerOptions = {},
  ) {
    this.maxInFlight = opts.maxInFlight ?? 1;
    this.maxEvents = opts.maxEvents ?? 5000;
    this.lingerMs = opts.lingerMs ?? 0;
    this.lingerBelow = opts.lingerBelow ?? 1000;
  }

  publish(stream: string, events: NewEvent[]): Promise<void> {
    // One bad event would fail everyone's write it shares: refuse it here, alone.
    checkPublishable(events);
    return new Promise<void>((resolve, reject) => {
      const list = this.queued.get(stream) ?? [];
      list.push({ events, resolve, reject });
      this.queued.set(stream, list);
      this.queuedEvents += events.length;
      this.pump();
    });
  }

  /** Resolves once nothing is queued or being written. */
  drain(): Promise<void> {
    if (this.inFlight === 0 && this.queued.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queued.size > 0) {
      if (this.lingerMs > 0 && !this.lingered && this.queuedEvents < this.lingerBelow) {
        this.lingering ??= setTimeout(() => {
          this.lingering = undefined;
          this.lingered = true;
          this.pump();
        }, this.lingerMs);
        return;
      }
      this.lingered = false;
      clearTimeout(this.lingering);
      this.lingering = undefined;
      const [stream, list] = this.queued.entries().next().value as [string, Entry[]];
      const taken: Entry[] = [];
      let count = 0;
      while (list.length > 0 && (taken.length === 0 || count + list[0]!.events.length <= this.maxEvents)) {
        const entry = list.shift()!;
        taken.push(entry);
        count += entry.events.length;
      }
      this.queuedEvents -= count;
      // Taken streams go to the back of the line, so one busy stream cannot starve the others.
      this.queued.delete(stream);
      if (list.length > 0) this.queued.set(stream, list);
      this.inFlight++;
      const events = taken.length === 1 ? taken[0]!.events : taken.flatMap((t) => t.events);
      this.write(stream, events)
        .then(
          () => taken.forEach((t) => t.resolve()),
          (err: unknown) => taken.forEach((t) => t.reject(err)),
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
          if (this.inFlight === 0 && this.queued.size === 0) this.idle.splice(0).forEach((r) => r());
        });
    }
  }
}
