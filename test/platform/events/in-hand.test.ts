import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../../src/platform/events/events.js';
import { InHand } from '../../../src/platform/events/in-hand.js';
import { byPartition, encodeSegments, type Stored } from '../../../src/platform/events/segments.js';

/** A message of `n` events of one partition, named `<name>.<i>`. */
const events = (name: string, partition: number, n: number): Delivery<null>[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${name}.${i}`,
    key: `k${partition}`,
    data: null,
    partition,
    attempt: 1,
    publishedAt: new Date(0),
  }));
const ids = (ds: { id: string }[]) => ds.map((d) => d.id);

describe('InHand', () => {
  it('hands out at most the room, oldest message first, and holds the rest of a message cut short', () => {
    const hand = new InHand<string, null>();
    hand.add('b', 1, 2, events('b', 1, 3));
    hand.add('a', 0, 1, events('a', 0, 4));
    expect(ids(hand.take(5))).toEqual(['a.0', 'a.1', 'a.2', 'a.3', 'b.0']);
    expect(hand.holding()).toBe(true);
    expect(hand.held()).toEqual(new Map([[1, 2]]));
    expect(ids(hand.take(5))).toEqual(['b.1', 'b.2']);
    expect(hand.holding()).toBe(false);
  });

  it('what is left of a message cut short comes before the later messages of its partition', () => {
    const hand = new InHand<string, null>();
    hand.add('c', 1, 3, events('c', 1, 1));
    hand.add('b', 0, 2, events('b', 0, 1));
    hand.add('a', 0, 1, events('a', 0, 3));
    expect(ids(hand.take(2))).toEqual(['a.0', 'a.1']);
    expect(ids(hand.take(10))).toEqual(['a.2', 'b.0', 'c.0']);
    expect(hand.take(10)).toEqual([]);
  });

  it('a message is done once every event of it is settled, not before', () => {
    const hand = new InHand<string, null>();
    hand.add('a', 0, 1, events('a', 0, 3));
    const first = hand.take(2);
    expect(hand.settle(first)).toEqual([]);
    const last = hand.take(2);
    const done = hand.settle(last);
    expect(done.map((c) => c.msg)).toEqual(['a']);
    expect(hand.stale()).toBe(true); // done but not yet given up: an ack that failed leaves it so
    hand.remove(done);
    expect(hand.stale()).toBe(false);
    expect(hand.messages()).toEqual([]);
  });

  it('is stale while handed events are unsettled; release gives up what it is told to', () => {
    const hand = new InHand<string, null>();
    hand.add('a', 0, 1, events('a', 0, 2));
    hand.add('b', 1, 2, events('b', 1, 2));
    expect(hand.stale()).toBe(false);
    hand.take(1);
    expect(hand.stale()).toBe(true);
    expect(hand.release((p) => p === 0)).toEqual(['b']);
    expect(hand.release()).toEqual(['a']);
    expect(hand.holding()).toBe(false);
    expect(() => hand.carrier(events('x', 0, 1)[0]!)).toThrow(/not in hand/);
  });
});

describe('segments', () => {
  it('groups events by partition in publish order', () => {
    const parts = byPartition(
      [{ id: '1', key: 'a', data: 1 }, { id: '2', key: 'b', data: 2 }, { id: '3', key: 'a' } as never],
      1,
    );
    expect(parts).toEqual(
      new Map([
        [
          0,
          [
            ['1', 'a', 1],
            ['2', 'b', 2],
            ['3', 'a', null],
          ],
        ],
      ]),
    );
  });

  it('splits a partition into bodies under the byte limit, in order, counting UTF-8 bytes', () => {
    const list: Stored[] = Array.from({ length: 100 }, (_, i) => [String(i), 'k', 'é'.repeat(50)]);
    const whole = encodeSegments(list, 1_000_000);
    expect(whole).toHaveLength(1);
    expect(JSON.parse(whole[0]!.json)).toEqual(list);
    const limit = 2000;
    const parts = encodeSegments(list, limit);
    expect(parts.length).toBeGreaterThan(3);
    for (const p of parts) expect(Buffer.byteLength(p.json)).toBeLessThanOrEqual(limit);
    expect(parts.flatMap((p) => JSON.parse(p.json) as Stored[])).toEqual(list);
    expect(parts.flatMap((p) => p.events)).toEqual(list);
    // One event over the limit stays whole: the broker refuses it with a reason.
    expect(encodeSegments([['x', 'k', 'y'.repeat(5000)]], limit)).toHaveLength(1);
  });
});
