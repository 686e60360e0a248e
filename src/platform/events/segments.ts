import { partitionOf, type NewEvent } from './events.js';

/** How a segment carries an event: [id, key, data]. */
export type Stored = [string, string, unknown];

/** Events grouped by partition, each group in publish order. */
export function byPartition(events: NewEvent[], partitions: number): Map<number, Stored[]> {
  const parts = new Map<number, Stored[]>();
  for (const e of events) {
    const part = partitionOf(e.key, partitions);
    let list = parts.get(part);
    if (!list) parts.set(part, (list = []));
    list.push([e.id, e.key, e.data ?? null]);
  }
  return parts;
}

/**
 * One partition's events as JSON arrays of at most `maxBytes` each (halved until they fit), in
 * order. A single event larger than that stays whole: the broker refuses it, and says why.
 */
export function encodeSegments(list: Stored[], maxBytes: number): { events: Stored[]; json: string }[] {
  const json = JSON.stringify(list);
  // UTF-8 takes at most 3 bytes per UTF-16 unit: most bodies need no byte count at all.
  if (list.length === 1 || json.length * 3 <= maxBytes || Buffer.byteLength(json) <= maxBytes)
    return [{ events: list, json }];
  const half = Math.ceil(list.length / 2);
  return [...encodeSegments(list.slice(0, half), maxBytes), ...encodeSegments(list.slice(half), maxBytes)];
}
