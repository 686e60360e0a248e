import { JetStreamApiCodes } from '@nats-io/jetstream';
import type { BusHealth } from '../events.js';
import { isApiError, message, type Connection } from './connection.js';
import { consumerName, type Names } from './names.js';

/** Whether JetStream answers, and how far behind a group is. */
export function createHealth(
  conn: Connection,
  names: Names,
  partitionCount: (stream: string) => Promise<number>,
  url: string,
) {
  const { nc, jsm } = conn;
  const { streamName } = names;

  const pending = async (stream: string, group: string): Promise<number> => {
    const partitions = await partitionCount(stream);
    const counts = await Promise.all(
      Array.from({ length: partitions }, async (_, p) => {
        try {
          const info = await jsm.consumers.info(streamName(stream), consumerName(group, p));
          return info.num_pending + info.num_ack_pending;
        } catch (err) {
          if (isApiError(err, JetStreamApiCodes.ConsumerNotFound)) return 0;
          throw err;
        }
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  };

  const health = async (): Promise<BusHealth> => {
    const detail = (state: string) => `jetstream ${url} (${state})`;
    if (nc.isClosed()) return { ok: false, detail: detail('closed') };
    if (!conn.connected) return { ok: false, detail: detail('reconnecting') };
    try {
      await jsm.getAccountInfo();
      return { ok: true, detail: detail('connected') };
    } catch (err) {
      return { ok: false, detail: `${detail('connected')}: JetStream does not answer: ${message(err)}` };
    }
  };

  return { pending, health };
}
