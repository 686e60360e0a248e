import { checkPublishable, type NewEvent } from './events.js';

interface Entry {
  events: NewEvent[];
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Group commit for publishes: the first caller writes at once; callers that arrive while
 * `maxInFlight` writes are running wait and go together in the next write. An idle bus adds no
 * delay, a busy one turns thousands of one-event publishes into a few multi-row INSERTs.
 */
export class PublishCoalescer {
  private readonly queued = new Map<string, Entry[]>();
  private inFlight = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly write: (stream: string, events: NewEvent[]) => Promise<void>,
    private readonly maxInFlight = 2,
    private readonly maxEvents = 5000,
  ) {}

  publish(stream: string, events: NewEvent[]): Promise<void> {
    // One bad event would fail everyone's write it shares: refuse it here, alone.
    checkPublishable(events);
    return new Promise<void>((resolve, reject) => {
      const list = this.queued.get(stream) ?? [];
      list.push({ events, resolve, reject });
      this.queued.set(stream, list);
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
      const [stream, list] = this.queued.entries().next().value as [string, Entry[]];
      const taken: Entry[] = [];
      let count = 0;
      while (list.length > 0 && (taken.length === 0 || count + list[0]!.events.length <= this.maxEvents)) {
        const entry = list.shift()!;
        taken.push(entry);
        count += entry.events.length;
      }
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
