import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BusUnavailableError,
  type ConsumeOptions,
  type Consumer,
  type Delivery,
  type EventBus,
  type NewEvent,
  partitionOf,
} from '../../../src/platform/events/events.js';

/** How a contract run reaches one adapter. */
export interface BusFixture {
  /** A new bus, as another process would open one. */
  open(): Promise<EventBus>;
  /** Environment for test/platform/events/consumer-child.ts to open the same kind of bus. */
  childEnv: Record<string, string>;
  /** Longest wait for a dead consumer's messages to come back (lease TTL, ack wait). */
  redeliveryMs: number;
  /** What `pending` counts: events, or messages (one per partition a publish touched). */
  pendingCounts: 'events' | 'messages';
  /** Removes what the run created (streams, database). */
  cleanup(): Promise<void>;
}

const CHILD = path.resolve('test/platform/events/consumer-child.ts');

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const events = (n: number, keys: number, from = 0): NewEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    key: `k${(from + i) % keys}`,
    data: { n: from + i, text: `event ${from + i}` },
  }));

interface Seen {
  deliveries: Delivery<{ n: number }>[];
  consumer: Consumer;
}

/** Consumes into an array; `handle` may be replaced to fail or to be slow. */
async function collect(
  bus: EventBus,
  opts: Omit<ConsumeOptions<{ n: number }>, 'handle'> & {
    handle?: (batch: Delivery<{ n: number }>[]) => Promise<void>;
  },
): Promise<Seen> {
  const deliveries: Delivery<{ n: number }>[] = [];
  const consumer = await bus.consume<{ n: number }>({
    ...opts,
    handle: async (batch) => {
      await opts.handle?.(batch);
      deliveries.push(...batch);
    },
  });
  return { deliveries, consumer };
}

const ids = (ds: { id: string }[]) => ds.map((d) => d.id);

/** The events port's contract (src/platform/events/events.ts), the same for every adapter. */
export function eventBusContract(name: string, setup: () => Promise<BusFixture>) {
  describe(`events port contract: ${name}`, () => {
    let fixture: BusFixture;
    const buses: EventBus[] = [];
    const open = async () => {
      const bus = await fixture.open();
      buses.push(bus);
      return bus;
    };
    /** A stream of its own for each test, so tests never see each other's events. */
    const stream = async (bus: EventBus, groups = ['g'], partitions = 4) => {
      const name = `s${randomUUID().slice(0, 8)}`;
      await bus.declare({ name, partitions, groups });
      return name;
    };

    beforeAll(async () => {
      fixture = await setup();
    });
    afterAll(async () => {
      for (const bus of buses) await bus.close().catch(() => undefined);
      await fixture?.cleanup();
    });

    it('delivers every published event once, payload and key intact', async () => {
      const bus = await open();
      const s = await stream(bus);
      const sent = events(120, 7);
      await bus.publish(s, sent.slice(0, 1));
      await bus.publish(s, sent.slice(1));
      const seen = await collect(bus, { stream: s, group: 'g' });
      await waitFor(() => seen.deliveries.length >= sent.length, 10_000, 'all deliveries');
      await new Promise((r) => setTimeout(r, 200));
      await seen.consumer.stop();
      expect(seen.deliveries).toHaveLength(sent.length);
      const byId = new Map(seen.deliveries.map((d) => [d.id, d]));
      for (const e of sent) {
        const d = byId.get(e.id);
        expect(d, e.id).toBeDefined();
        expect(d!.key).toBe(e.key);
        expect(d!.data).toEqual(e.data);
        expect(d!.attempt).toBe(1);
        expect(d!.publishedAt).toBeInstanceOf(Date);
      }
    });

    it('a large batch from one partition: every event once, in order, on the first try', async () => {
      const bus = await open();
      const s = await stream(bus);
      // One key, so one partition: more than a JetStream consumer lets be unacknowledged by default.
      const sent = events(2500, 1);
      await bus.publish(s, sent);
      const seen = await collect(bus, { stream: s, group: 'g', batchSize: 10_000 });
      await waitFor(() => seen.deliveries.length >= sent.length, 10_000, 'all deliveries');
      await new Promise((r) => setTimeout(r, 300));
      await seen.consumer.stop();
      expect(seen.deliveries.map((d) => d.data.n)).toEqual(sent.map((_, i) => i));
      expect(seen.deliveries.every((d) => d.attempt === 1)).toBe(true);
    });

    it('publish resolves once the events are stored: another bus reads them after this one closed', async () => {
      const writer = await fixture.open();
      const s = await stream(writer);
      const sent = events(50, 3);
      await writer.publish(s, sent);
      await writer.close();
      await expect(writer.publish(s, events(1, 1))).rejects.toBeInstanceOf(BusUnavailableError);
      const reader = await open();
      const seen = await collect(reader, { stream: s, group: 'g' });
      await waitFor(() => seen.deliveries.length >= sent.length, 10_000, 'the events of the closed writer');
      await seen.consumer.stop();
      expect(new Set(ids(seen.deliveries))).toEqual(new Set(ids(sent)));
    });

    it('every declared group receives every event', async () => {
      const bus = await open();
      const s = await stream(bus, ['stats', 'audit']);
      const sent = events(40, 5);
      await bus.publish(s, sent);
      const a = await collect(bus, { stream: s, group: 'stats' });
      const b = await collect(bus, { stream: s, group: 'audit' });
      await waitFor(() => a.deliveries.length >= 40 && b.deliveries.length >= 40, 10_000, 'both groups');
      await Promise.all([a.consumer.stop(), b.consumer.stop()]);
      expect(new Set(ids(a.deliveries))).toEqual(new Set(ids(sent)));
      expect(new Set(ids(b.deliveries))).toEqual(new Set(ids(sent)));
    });

    it('consumers of one group share the work, each event handled once, each key in order', async () => {
      const busA = await open();
      const busB = await open();
      const s = await stream(busA, ['g'], 8);
      const a = await collect(busA, { stream: s, group: 'g', batchSize: 20 });
      const b = await collect(busB, { stream: s, group: 'g', batchSize: 20 });
      // Publish while both run, one event at a time per key, so each key has a defined order;
      // spread over a few seconds, so the group deals its partitions again while events flow.
      const sent: NewEvent[] = [];
      for (let round = 0; round < 30; round++) {
        const batch = events(16, 16, round * 16);
        sent.push(...batch);
        await busA.publish(s, batch);
        await new Promise((r) => setTimeout(r, 80));
      }
      const all = () => [...a.deliveries, ...b.deliveries];
      await waitFor(() => all().length >= sent.length, 15_000, 'all events across both consumers');
      await new Promise((r) => setTimeout(r, 300));
      await Promise.all([a.consumer.stop(), b.consumer.stop()]);
      expect(all()).toHaveLength(sent.length);
      expect(new Set(ids(all()))).toEqual(new Set(ids(sent)));
      expect(a.deliveries.length, 'consumer A had a share').toBeGreaterThan(0);
      expect(b.deliveries.length, 'consumer B had a share').toBeGreaterThan(0);
      // A key is handled by one consumer at a time here, so its order within that consumer holds.
      for (const seen of [a.deliveries, b.deliveries]) {
        const lastByKey = new Map<string, number>();
        for (const d of seen) {
          const last = lastByKey.get(d.key) ?? -1;
          expect(d.data.n, `key ${d.key} out of order`).toBeGreaterThan(last);
          lastByKey.set(d.key, d.data.n);
        }
      }
    });

    it('a failing message is tried again with growing delays, then handled', async () => {
      const bus = await open();
      const s = await stream(bus);
      const [flaky] = events(1, 1);
      const tries: { attempt: number; at: number }[] = [];
      const seen = await collect(bus, {
        stream: s,
        group: 'g',
        retryDelayMs: 150,
        maxAttempts: 5,
        handle: async (batch) => {
          for (const d of batch) tries.push({ attempt: d.attempt, at: performance.now() });
          if (batch.some((d) => d.attempt < 3)) throw new Error('not yet');
        },
      });
      await bus.publish(s, [flaky!]);
      await waitFor(() => seen.deliveries.length >= 1, 15_000, 'the third try');
      await seen.consumer.stop();
      expect(tries.map((t) => t.attempt)).toEqual([1, 2, 3]);
      const gap1 = tries[1]!.at - tries[0]!.at;
      const gap2 = tries[2]!.at - tries[1]!.at;
      expect(gap1).toBeGreaterThanOrEqual(140);
      expect(gap2).toBeGreaterThanOrEqual(280);
    });

    it('a poison message goes to the dead letters after the last try and blocks nothing', async () => {
      const bus = await open();
      const s = await stream(bus);
      const sent = events(20, 1); // one key: the poison shares a partition with all the others
      const poison = sent[5]!;
      const deadLettered: { id: string; error: string }[] = [];
      const seen = await collect(bus, {
        stream: s,
        group: 'g',
        batchSize: 10,
        retryDelayMs: 50,
        maxAttempts: 3,
        handle: async (batch) => {
          if (batch.some((d) => d.id === poison.id)) throw new Error('poison: cannot parse');
        },
        deadLetter: async (d, error) => {
          deadLettered.push({ id: d.id, error });
        },
      });
      await bus.publish(s, sent);
      await waitFor(() => deadLettered.length >= 1, 15_000, 'the poison to be dead-lettered');
      await waitFor(() => seen.deliveries.length >= 19, 15_000, 'the others');
      await waitFor(async () => (await bus.pending(s, 'g')) === 0, 10_000, 'nothing pending');
      await seen.consumer.stop();
      expect(deadLettered).toEqual([{ id: poison.id, error: 'poison: cannot parse' }]);
      expect(new Set(ids(seen.deliveries))).toEqual(new Set(ids(sent.filter((e) => e !== poison))));
      const dead = await bus.deadLetters(s, 'g');
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({ id: poison.id, key: poison.key, data: poison.data, attempts: 3 });
      expect(dead[0]!.error).toContain('poison');
    });

    it('a failing event is tried again for its own group only: the other groups get it once', async () => {
      const bus = await open();
      // One partition: the failing event shares its message (or segment) with the others.
      const s = await stream(bus, ['flaky', 'calm'], 1);
      const sent = events(10, 3);
      const failing = sent[4]!;
      const flaky = await collect(bus, {
        stream: s,
        group: 'flaky',
        retryDelayMs: 50,
        handle: async (batch) => {
          if (batch.some((d) => d.id === failing.id && d.attempt < 3)) throw new Error('not yet');
        },
      });
      const calm = await collect(bus, { stream: s, group: 'calm' });
      await bus.publish(s, sent);
      await waitFor(
        () => flaky.deliveries.length >= sent.length && calm.deliveries.length >= sent.length,
        10_000,
        'both groups',
      );
      for (const group of ['flaky', 'calm'])
        await waitFor(async () => (await bus.pending(s, group)) === 0, 10_000, `${group} to catch up`);
      await Promise.all([flaky.consumer.stop(), calm.consumer.stop()]);
      expect(ids(calm.deliveries).sort()).toEqual(ids(sent).sort());
      expect(calm.deliveries.every((d) => d.attempt === 1)).toBe(true);
      expect(ids(flaky.deliveries).sort()).toEqual(ids(sent).sort());
      expect(flaky.deliveries.find((d) => d.id === failing.id)).toMatchObject({
        attempt: 3,
        data: failing.data,
      });
    });

    it('pending counts what the group has not acknowledged yet', async () => {
      const bus = await open();
      const s = await stream(bus, ['g', 'idle']);
      const sent = events(30, 4);
      await bus.publish(s, sent);
      const unacknowledged =
        fixture.pendingCounts === 'events' ? 30 : new Set(sent.map((e) => partitionOf(e.key, 4))).size;
      expect(await bus.pending(s, 'g')).toBe(unacknowledged);
      const seen = await collect(bus, { stream: s, group: 'g' });
      await waitFor(async () => (await bus.pending(s, 'g')) === 0, 10_000, 'the group to catch up');
      await seen.consumer.stop();
      expect(await bus.pending(s, 'idle')).toBe(unacknowledged);
    });

    it('batches hold at most batchSize events, even from one larger publish, each key in order', async () => {
      const bus = await open();
      const s = await stream(bus);
      const sent = events(45, 2);
      const sizes: number[] = [];
      const seen = await collect(bus, {
        stream: s,
        group: 'g',
        batchSize: 7,
        handle: async (batch) => {
          sizes.push(batch.length);
        },
      });
      await bus.publish(s, sent);
      await waitFor(() => seen.deliveries.length >= sent.length, 10_000, 'every event');
      await new Promise((r) => setTimeout(r, 200));
      await seen.consumer.stop();
      expect(Math.max(...sizes)).toBeLessThanOrEqual(7);
      expect(ids(seen.deliveries).sort()).toEqual(ids(sent).sort());
      for (const key of ['k0', 'k1']) {
        const order = seen.deliveries.filter((d) => d.key === key).map((d) => d.data.n);
        expect(order).toEqual([...order].sort((a, b) => a - b));
      }
      expect(await bus.pending(s, 'g')).toBe(0);
    });

    it('lingerMs: after a small batch the consumer waits, so a trickle comes in one larger batch', async () => {
      const bus = await open();
      const s = await stream(bus);
      const batches: number[] = [];
      const seen = await collect(bus, {
        stream: s,
        group: 'g',
        batchSize: 100,
        lingerMs: 600,
        handle: async (batch) => {
          batches.push(batch.length);
        },
      });
      await bus.publish(s, events(1, 1));
      await waitFor(() => batches.length === 1, 10_000, 'the first event');
      for (const e of events(5, 5, 1)) {
        await bus.publish(s, [e]);
        await new Promise((r) => setTimeout(r, 30));
      }
      await waitFor(() => seen.deliveries.length >= 6, 10_000, 'the trickle');
      await seen.consumer.stop();
      expect(batches).toEqual([1, 5]);
    });

    it('stop() finishes and acknowledges the batch in hand: nothing is lost or handled twice', async () => {
      const bus = await open();
      const s = await stream(bus);
      const sent = events(60, 3);
      await bus.publish(s, sent);
      let started!: () => void;
      const inHand = new Promise<void>((r) => (started = r));
      const first = await collect(bus, {
        stream: s,
        group: 'g',
        batchSize: 10,
        handle: async () => {
          started();
          await new Promise((r) => setTimeout(r, 300));
        },
      });
      await inHand;
      await first.consumer.stop();
      expect(first.deliveries.length).toBeGreaterThan(0);
      const next = await open();
      const second = await collect(next, { stream: s, group: 'g' });
      const rest = sent.length - first.deliveries.length;
      await waitFor(() => second.deliveries.length >= rest, 10_000, 'the rest');
      await new Promise((r) => setTimeout(r, 300));
      await second.consumer.stop();
      const all = [...first.deliveries, ...second.deliveries];
      expect(all).toHaveLength(sent.length);
      expect(new Set(ids(all))).toEqual(new Set(ids(sent)));
    });

    it('a consumer killed mid-batch (SIGKILL): its messages are delivered again to the next owner', async () => {
      const bus = await open();
      const s = await stream(bus, ['g'], 2);
      const sent = events(40, 2);
      await bus.publish(s, sent);
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
        env: { ...process.env, ...fixture.childEnv, STREAM: s, GROUP: 'g' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise((r) => child.once('exit', r));
      await waitFor(() => /holding \d+/.test(output), 30_000, `the child to hold a batch: ${output}`);
      child.kill('SIGKILL');
      await exited;
      const seen = await collect(bus, { stream: s, group: 'g' });
      await waitFor(
        () => new Set(ids(seen.deliveries)).size >= sent.length,
        fixture.redeliveryMs + 15_000,
        'every event after the kill',
      );
      await seen.consumer.stop();
      expect(new Set(ids(seen.deliveries))).toEqual(new Set(ids(sent)));
    });

    it('declare is idempotent and refuses another partition count', async () => {
      const bus = await open();
      const s = await stream(bus, ['g'], 4);
      await bus.declare({ name: s, partitions: 4, groups: ['g'] });
      await expect(bus.declare({ name: s, partitions: 8, groups: ['g'] })).rejects.toThrow(/partitions/);
    });

    it('health says the bus is up', async () => {
      const bus = await open();
      const health = await bus.health();
      expect(health.ok).toBe(true);
      expect(health.detail).toMatch(new RegExp(bus.kind));
    });
  });
}
