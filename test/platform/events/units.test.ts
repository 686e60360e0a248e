import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { share } from '../../../src/platform/events/assignment.js';
import { PublishCoalescer } from '../../../src/platform/events/coalescer.js';
import { partitionOf, retryDelay, type NewEvent } from '../../../src/platform/events/events.js';

const event = (): NewEvent => ({ id: randomUUID(), key: 'k', data: {} });

describe('partitionOf', () => {
  it('is FNV-1a, so every process and language picks the same partition', () => {
    // FNV-1a 32-bit of "a" is 0xe40c292c; of "" the offset basis 0x811c9dc5.
    expect(partitionOf('a', 2 ** 31)).toBe(0xe40c292c % 2 ** 31);
    expect(partitionOf('', 1000)).toBe(0x811c9dc5 % 1000);
  });
  it('spreads keys over every partition', () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[partitionOf(`campaign-${i}`, 16)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(800);
  });
});

describe('share', () => {
  it('deals partitions round-robin so the members together hold each exactly once', () => {
    const dealt = [0, 1, 2].flatMap((i) => share(8, 3, i));
    expect(dealt.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(share(8, 3, 1)).toEqual([1, 4, 7]);
    expect(share(2, 3, 2)).toEqual([]);
  });
});

describe('retryDelay', () => {
  it('doubles each try and stops at a minute', () => {
    expect([1, 2, 3, 4].map((a) => retryDelay(100, a))).toEqual([100, 200, 400, 800]);
    expect(retryDelay(1000, 30)).toBe(60_000);
  });
});

describe('PublishCoalescer', () => {
  it('writes the first publish at once and groups those that arrive while writes run', async () => {
    const writes: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = new PublishCoalescer(
      async (_stream, events) => {
        writes.push(events.length);
        await gate;
      },
      { maxInFlight: 2 },
    );
    const all = Array.from({ length: 100 }, () => c.publish('s', [event()]));
    expect(writes).toEqual([1, 1]); // two writes in flight, 98 publishes waiting
    release();
    await Promise.all(all);
    expect(writes).toEqual([1, 1, 98]);
    await c.drain();
  });

  it('lingers before a small write so later publishes share it; a full one goes at once', async () => {
    const writes: number[] = [];
    const c = new PublishCoalescer(
      async (_stream, events) => {
        writes.push(events.length);
      },
      { lingerMs: 30, lingerBelow: 10 },
    );
    const first = c.publish('s', [event()]);
    await new Promise((r) => setTimeout(r, 5));
    const more = Array.from({ length: 3 }, () => c.publish('s', [event()]));
    expect(writes).toEqual([]); // still lingering
    await Promise.all([first, ...more]);
    expect(writes).toEqual([4]);
    // Ten events queued reach lingerBelow: written without waiting.
    const started = performance.now();
    await c.publish('s', Array.from({ length: 10 }, event));
    expect(performance.now() - started).toBeLessThan(25);
    expect(writes).toEqual([4, 10]);
    await c.drain();
  });

  it('a failed write rejects only the publishes it carried', async () => {
    let fail = true;
    const c = new PublishCoalescer(async () => {
      if (fail) {
        fail = false;
        throw new Error('disk full');
      }
    });
    const first = c.publish('s', [event()]);
    const second = c.publish('s', [event()]);
    await expect(first).rejects.toThrow('disk full');
    await expect(second).resolves.toBeUndefined();
  });

  it('refuses an event whose id is not a UUID, alone, before it can spoil a shared write', () => {
    const c = new PublishCoalescer(async () => undefined);
    expect(() => c.publish('s', [{ id: 'nope', key: 'k', data: 1 }])).toThrow(/UUID/);
  });

  it('keeps writes under maxEvents, streams apart, and takes turns between streams', async () => {
    const writes: [string, number][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = new PublishCoalescer(
      async (stream, events) => {
        writes.push([stream, events.length]);
        await gate;
      },
      { maxEvents: 10 },
    );
    const all = [c.publish('a', [event()])];
    for (let i = 0; i < 15; i++) all.push(c.publish('a', [event()]));
    all.push(c.publish('b', [event(), event()]));
    release();
    await Promise.all(all);
    expect(writes).toEqual([
      ['a', 1],
      ['a', 10],
      ['b', 2],
      ['a', 5],
    ]);
  });
});
