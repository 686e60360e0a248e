import { createInbox, headers, type Msg, type MsgHdrs } from '@nats-io/transport-node';
import { BusUnavailableError } from '../events.js';
import { unavailable, type Connection } from './connection.js';

/** How often requests past their deadline are failed. */
const SWEEP_MS = 50;

export interface Requests {
  /**
   * Stores one message; resolves on JetStream's PubAck. A duplicate id (a publish tried again) is
   * acknowledged without being stored twice.
   */
  store(
    subject: string,
    stream: string,
    id: string,
    body: string,
    timeoutMs: number,
    h?: MsgHdrs,
  ): Promise<void>;
  /** Acks, NAKs and TERMs are requests: the server's answer means it has applied them. */
  confirm(msg: Msg, verb: string): Promise<void>;
  /** Stops the deadline sweep; the connection is closed by then. */
  stop(): void;
}

/**
 * Requests over one reply subscription, for publishes (answered by a PubAck) and acks. The
 * client's own request() builds an Error object for each request, even one that succeeds: at
 * thousands of publishes and acks a second, that was a fifth of a busy process's CPU.
 */
export function createRequests(conn: Connection): Requests {
  const { nc, timeout } = conn;
  const inbox = createInbox();
  let next = 0;
  const pending = new Map<
    string,
    { resolve(m: Msg): void; reject(e: Error): void; deadline: number; timeoutMs: number }
  >();
  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  // One sweep for every deadline, not a timer per request: at thousands of requests a second
  // the timers were a good part of what the collector had to clear. A request may so fail up
  // to SWEEP_MS after its deadline.
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const [token, p] of pending) {
      if (p.deadline > now) continue;
      pending.delete(token);
      p.reject(new BusUnavailableError(`no answer from JetStream in ${p.timeoutMs} ms`));
    }
  }, SWEEP_MS);
  sweep.unref();
  nc.subscribe(`${inbox}.*`, {
    callback: (err, msg) => {
      if (err) return failAll(unavailable('replies lost', err));
      const token = msg.subject.slice(inbox.length + 1);
      const p = pending.get(token);
      if (!p) return; // late: its request already timed out
      pending.delete(token);
      // No one listens on the subject (no stream for it, or the consumer is gone).
      if (msg.headers?.code === 503 && msg.data.length === 0) p.reject(new Error('no responders'));
      else p.resolve(msg);
    },
  });
  conn.onDisconnect.add(() => failAll(new BusUnavailableError('NATS connection lost')));
  // The client writes what was published in one microtask with one syscall; requests made in
  // different I/O callbacks (one per HTTP request) would each get their own. Held until the
  // loop's check phase, they share one write, and the server reads them in one go too.
  const outbox: (() => void)[] = [];
  const sendOutbox = () => {
    for (const send of outbox.splice(0)) send();
  };
  const request = (subject: string, payload: string, timeoutMs: number, hdrs?: MsgHdrs) =>
    new Promise<Msg>((resolve, reject) => {
      if (!conn.connected) return reject(new BusUnavailableError('NATS is disconnected'));
      const token = (next++).toString(36);
      pending.set(token, { resolve, reject, deadline: performance.now() + timeoutMs, timeoutMs });
      outbox.push(() => {
        try {
          nc.publish(subject, payload, { reply: `${inbox}.${token}`, ...(hdrs ? { headers: hdrs } : {}) });
        } catch (err) {
          pending.delete(token);
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
      if (outbox.length === 1) setImmediate(sendOutbox);
    });

  const store = async (
    subject: string,
    stream: string,
    id: string,
    body: string,
    timeoutMs: number,
    h: MsgHdrs = headers(),
  ) => {
    h.set('Nats-Msg-Id', id);
    h.set('Nats-Expected-Stream', stream);
    const reply = await request(subject, body, timeoutMs, h);
    const ack = reply.json<{ error?: { code: number; description: string } }>();
    if (ack.error)
      throw new Error(`JetStream refused the event (${ack.error.code}): ${ack.error.description}`);
  };

  const confirm = async (msg: Msg, verb: string) => {
    try {
      await request(msg.reply!, verb, timeout);
    } catch (err) {
      throw unavailable(`${verb.split(' ')[0]} not confirmed`, err);
    }
  };

  return { store, confirm, stop: () => clearInterval(sweep) };
}
