import { BusUnavailableError, type EventBus, type NewEvent } from '../events.js';
import { PublishCoalescer } from '../coalescer.js';
import { byPartition, encodeSegments } from '../segments.js';
import { unavailable, type Connection } from './connection.js';
import { segmentId } from './messages.js';
import type { Names } from './names.js';
import type { Requests } from './requests.js';

export interface Publisher {
  publish: EventBus['publish'];
  /** Resolves once every publish taken has been stored or refused. */
  drain(): Promise<void>;
}

export function createPublisher(
  conn: Connection,
  names: Names,
  requests: Requests,
  partitionCount: (stream: string) => Promise<number>,
  opts: { publishRetryMs: number; isClosed(): boolean },
): Publisher {
  const { streamName, subjectOf } = names;
  const { publishRetryMs } = opts;
  const { store } = requests;

  /**
   * A publish as messages: one per partition it touches (more if that would pass half the
   * server's largest message), each carrying its events in order. Messages, not events, are what
   * JetStream and its clients pay for: one per event held batches to 30,000 events/s.
   */
  const messagesOf = (stream: string, events: NewEvent[], partitions: number) => {
    const maxBytes = Math.floor(conn.maxPayload() / 2);
    const out: { subject: string; id: string; body: string }[] = [];
    for (const [partition, list] of byPartition(events, partitions)) {
      for (const segment of encodeSegments(list, maxBytes)) {
        out.push({
          subject: subjectOf(stream, partition),
          id: segmentId(segment.events),
          body: segment.json,
        });
      }
    }
    return out;
  };

  /**
   * Stores a publish's messages. A lost node or a reconnect is usually over within a second or
   * two: ride it out before refusing. Retrying is safe: each message keeps its id, so JetStream
   * stores it once.
   */
  const storeEvents = async (stream: string, events: NewEvent[]) => {
    const messages = messagesOf(stream, events, await partitionCount(stream));
    const deadline = Date.now() + publishRetryMs;
    for (let attempt = 1; ; attempt++) {
      try {
        if (!conn.connected) throw new Error('NATS is disconnected');
        const timeout = Math.max(250, Math.min(conn.timeout, deadline - Date.now()));
        await Promise.all(messages.map((m) => store(m.subject, streamName(stream), m.id, m.body, timeout)));
        return;
      } catch (err) {
        const pause = Math.min(1000, 50 * 2 ** attempt);
        if (opts.isClosed() || Date.now() + pause >= deadline) throw unavailable('events not stored', err);
        await new Promise((r) => setTimeout(r, pause));
      }
    }
  };
  // Publishes that arrive while one is being stored go together in the next: fewer, larger
  // messages, with no wait when the bus is idle. One 15 s run each way, 4 clients sending
  // 1,000-event batches: 36,464 → 40,069 events/s end to end; single POSTs asked at 5,000/s:
  // 3,498 → 4,127/s taken, nats-server CPU per event 90.6 → 64.0 µs.
  const coalescer = new PublishCoalescer(storeEvents);

  const publish = async (stream: string, events: NewEvent[]) => {
    if (opts.isClosed()) throw new BusUnavailableError('the event bus is closed');
    if (events.length === 0) return;
    await coalescer.publish(stream, events);
  };

  return { publish, drain: () => coalescer.drain() };
}
