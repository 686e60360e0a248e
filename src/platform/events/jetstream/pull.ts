import { createInbox, type Msg } from '@nats-io/transport-node';
import { BusUnavailableError } from '../events.js';
import { unavailable, type Connection } from './connection.js';
import { consumerName, type Names } from './names.js';

/**
 * No-wait pulls of one group's partitions: what a partition has now, at most `batch`, and at
 * once, so that an empty partition never holds up the others. One subscription serves every
 * pull of the consumer (replies to `<inbox>.<partition>`): no subscription churn per poll, which
 * a cluster would have to spread to every node.
 */
export function createPuller(conn: Connection, names: Names, stream: string, group: string) {
  const { nc, timeout } = conn;
  const inbox = createInbox();
  const waiting = new Map<number, { got: Msg[]; batch: number; done(err?: Error): void }>();
  const sub = nc.subscribe(`${inbox}.*`, {
    callback: (err, msg) => {
      if (err) {
        for (const w of waiting.values()) w.done(unavailable('pull failed', err));
        return;
      }
      // Messages carry their own subject, statuses the reply subject: both end in the partition.
      const partition = Number(msg.subject.slice(msg.subject.lastIndexOf('.') + 1));
      const code = msg.headers?.code ?? 0;
      const w = waiting.get(partition);
      if (!w) {
        // Late for a pull that gave up: back to the stream now rather than after the ack wait.
        if (code === 0) msg.respond('-NAK');
        return;
      }
      if (code === 0) w.got.push(msg);
      const description = msg.headers?.description ?? '';
      // 404: nothing there; 408: fewer than asked; 409 "Message Size Exceeds MaxBytes": the
      // pull has its bytes; another 409: refused (e.g. the consumer was deleted).
      if (code === 409 && !/MaxBytes/i.test(description))
        w.done(new Error(`JetStream consumer of ${stream}/${group}: ${description}`));
      else if (code >= 400 || w.got.length >= w.batch) w.done();
    },
  });
  const abort = () => {
    for (const w of waiting.values()) w.done(new BusUnavailableError('NATS connection lost'));
  };
  conn.onDisconnect.add(abort);
  return {
    /**
     * At most `batch` messages, and at most `maxBytes` (which must exceed the largest message:
     * on a 2.9 server, a redelivered message larger than a pull's bytes went back pending
     * until its ack wait, again and again).
     */
    pull: (partition: number, batch: number, maxBytes?: number) =>
      new Promise<Msg[]>((resolve, reject) => {
        if (!conn.connected) {
          reject(new BusUnavailableError('NATS is disconnected'));
          return;
        }
        const got: Msg[] = [];
        const timer = setTimeout(() => {
          w.done(new BusUnavailableError(`no answer from JetStream in ${timeout} ms`));
        }, timeout);
        const w = {
          got,
          batch,
          done(err?: Error) {
            clearTimeout(timer);
            waiting.delete(partition);
            if (err && got.length === 0) reject(err);
            else resolve(got);
          },
        };
        waiting.set(partition, w);
        nc.publish(
          `$JS.API.CONSUMER.MSG.NEXT.${names.streamName(stream)}.${consumerName(group, partition)}`,
          JSON.stringify(maxBytes ? { batch, max_bytes: maxBytes, no_wait: true } : { batch, no_wait: true }),
          { reply: `${inbox}.${partition}` },
        );
      }),
    close() {
      conn.onDisconnect.delete(abort);
      sub.unsubscribe();
    },
  };
}
