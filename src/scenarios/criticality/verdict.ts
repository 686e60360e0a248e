/**
 * Whether every consumer saw every state it should have, once, judged from what the clients
 * recorded: when each POST left and was answered, and when each poll left, was answered and what
 * it delivered. Times are the clients' own clock (ms); the server handled each call somewhere
 * between its send and its answer, which is all the judgement relies on.
 */

export interface PostRecord {
  sentAt: number;
  /** When the answer was read, or the call given up. */
  answeredAt: number;
  /** 'stored': 200 with a processed_id; 'refused': a 4xx (nothing stored); 'unknown': no answer or a 5xx. */
  outcome: 'stored' | 'refused' | 'unknown';
  processedId?: number;
  /** Change_at as sent, in ms since the epoch: with processedId, the server's order of states. */
  changeAtMs: number;
}

export interface PollRecord {
  consumer: number;
  sentAt: number;
  answeredAt: number;
  /** False when the poll got no 200 (it then tells nothing about delivery). */
  ok: boolean;
  /** The status_change_id delivered, if the answer was a state rather than `{}`. */
  delivered?: number;
}

export interface DeliveryVerdict {
  pass: boolean;
  statesStored: number;
  polls: number;
  deliveries: number;
  /** Deliveries of a state the consumer had already been given. */
  duplicates: number;
  /**
   * (consumer, state) pairs where the consumer polled while that state was surely the latest
   * (poll sent after its POST was answered, answered before any other POST was sent) and had not
   * been given it by then.
   */
  missed: number;
  /** Polls in such a window that delivered some other state. */
  wrongState: number;
  /** Polls that fell in a window where the latest state was certain: what the check rests on. */
  pollsChecked: number;
  /** (consumer, state) pairs that had to be delivered: the checked windows, counted once each. */
  pairsChecked: number;
}

const after = (a: PostRecord, b: PostRecord) =>
  a.changeAtMs !== b.changeAtMs ? a.changeAtMs > b.changeAtMs : a.processedId! > b.processedId!;

/** The last index in a sorted array whose key is ≤ x (−1 if none). */
function lastAtMost<T>(sorted: T[], key: (t: T) => number, x: number, strict = false): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const k = key(sorted[mid]!);
    if (strict ? k < x : k <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * While a POST is in flight the latest state is uncertain. A POST of unknown outcome may have
 * been stored, so it stays uncertain until a stored POST with a later Change_at has been answered
 * (that one is the latest whatever happened to it); a refused POST changed nothing.
 */
function uncertainSpans(posts: PostRecord[]): { from: number; to: number }[] {
  const stored = posts.filter((p) => p.outcome === 'stored');
  return posts
    .filter((p) => p.outcome !== 'refused')
    .map((p) => {
      if (p.outcome === 'stored') return { from: p.sentAt, to: p.answeredAt };
      const superseding = stored
        .filter((s) => s.changeAtMs > p.changeAtMs)
        .reduce((min, s) => Math.min(min, s.answeredAt), Infinity);
      return { from: p.sentAt, to: superseding };
    })
    .sort((a, b) => a.from - b.from);
}

export function judgeDeliveries(posts: PostRecord[], polls: PollRecord[]): DeliveryVerdict {
  const spans = uncertainSpans(posts);
  // Max end of the spans starting at or before each index: does any span reach into a poll?
  const reach: number[] = [];
  for (const s of spans) reach.push(Math.max(reach.at(-1) ?? -Infinity, s.to));
  // Stored posts by answer time, with the latest state among those answered so far.
  const stored = posts.filter((p) => p.outcome === 'stored').sort((a, b) => a.answeredAt - b.answeredAt);
  const latest: PostRecord[] = [];
  for (const p of stored) {
    const prev = latest.at(-1);
    latest.push(prev && after(prev, p) ? prev : p);
  }

  const byConsumer = new Map<number, PollRecord[]>();
  for (const p of polls) {
    const list = byConsumer.get(p.consumer) ?? [];
    list.push(p);
    byConsumer.set(p.consumer, list);
  }
  let deliveries = 0;
  let duplicates = 0;
  let missed = 0;
  let wrongState = 0;
  let pollsChecked = 0;
  let pairsChecked = 0;
  for (const list of byConsumer.values()) {
    // The earliest send of a poll that delivered each state: a poll answered after it may
    // rely on it (with one poll at a time, simply "an earlier poll, or this one").
    const firstGiven = new Map<number, number>();
    for (const p of list) {
      if (!p.ok || p.delivered === undefined) continue;
      deliveries++;
      const seen = firstGiven.get(p.delivered);
      if (seen !== undefined) duplicates++;
      firstGiven.set(p.delivered, Math.min(seen ?? Infinity, p.sentAt));
    }
    const checked = new Set<number>();
    const missedHere = new Set<number>();
    for (const p of list) {
      if (!p.ok) continue;
      const i = lastAtMost(spans, (s) => s.from, p.answeredAt);
      if (i >= 0 && reach[i]! >= p.sentAt) continue;
      const j = lastAtMost(stored, (s) => s.answeredAt, p.sentAt, true);
      if (j < 0) continue;
      const state = latest[j]!.processedId!;
      pollsChecked++;
      checked.add(state);
      if (p.delivered !== undefined && p.delivered !== state) wrongState++;
      const given = firstGiven.get(state);
      if (given === undefined || given > p.answeredAt) missedHere.add(state);
    }
    pairsChecked += checked.size;
    missed += missedHere.size;
  }
  return {
    // A run where no poll could be checked proves nothing (a server that answered nothing).
    pass: duplicates === 0 && missed === 0 && wrongState === 0 && pollsChecked > 0,
    statesStored: stored.length,
    polls: polls.length,
    deliveries,
    duplicates,
    missed,
    wrongState,
    pollsChecked,
    pairsChecked,
  };
}
