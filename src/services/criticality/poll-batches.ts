/**
 * Polls that arrive while earlier ones wait on PostgreSQL share one read. Nothing is kept between
 * reads: each poll is answered from a query that started after the poll arrived, so it sees every
 * state committed before it, on any instance, exactly as its own query would.
 */
export function batchedReads<V>(
  read: (keys: string[]) => Promise<Map<string, V>>,
  maxInFlight: number,
): (key: string) => Promise<V> {
  type Waiter = { key: string; resolve: (v: V) => void; reject: (err: unknown) => void };
  let waiting: Waiter[] = [];
  let inFlight = 0;

  const start = () => {
    while (inFlight < maxInFlight && waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      inFlight++;
      read([...new Set(batch.map((w) => w.key))])
        .then(
          (found) => {
            for (const w of batch) {
              const v = found.get(w.key);
              if (v === undefined) w.reject(new Error(`no row read for ${w.key}`));
              else w.resolve(v);
            }
          },
          (err: unknown) => {
            for (const w of batch) w.reject(err);
          },
        )
        .finally(() => {
          inFlight--;
          start();
        });
    }
  };

  return (key) =>
    new Promise<V>((resolve, reject) => {
      waiting.push({ key, resolve, reject });
      start();
    });
}
