import type pg from 'pg';

/**
 * Which partitions of a group one consumer holds. Consumers beat into `events.members`; the live
 * ones, sorted, deal the partitions round-robin (partition p goes to member p mod n). A consumer
 * holds a partition through a lease that it renews while it beats: a dead consumer's leases
 * expire after `ttlMs`, and its partitions pass to the others. Both adapters use this (the
 * JetStream one too: every process that consumes also has the database).
 */
export interface AssignmentOptions {
  stream: string;
  group: string;
  partitions: number;
  member: string;
  /** How long a silent member stays in the group and keeps its leases (default 5000). */
  ttlMs?: number;
}

export interface Assignment {
  /** The partitions held now. */
  readonly owned: readonly number[];
  /**
   * Call between batches: gives up what another member should hold, takes what this one should
   * hold and is free. Returns the partitions held.
   */
  rebalance(): Promise<readonly number[]>;
  /** Gives every partition up and leaves, so the others take over at once. */
  leave(): Promise<void>;
}

export const DEFAULT_LEASE_TTL_MS = 5000;

/** Partitions member `index` of `members` should hold. */
export function share(partitions: number, members: number, index: number): number[] {
  const mine: number[] = [];
  for (let p = index; p < partitions; p += members) mine.push(p);
  return mine;
}

export async function joinGroup(pool: pg.Pool, opts: AssignmentOptions): Promise<Assignment> {
  const { stream, group, partitions, member } = opts;
  const ttl = `${opts.ttlMs ?? DEFAULT_LEASE_TTL_MS} milliseconds`;
  let owned: number[] = [];
  let left = false;

  const beat = async () => {
    await pool.query(
      `WITH m AS (
         INSERT INTO events.members (stream, grp, member) VALUES ($1, $2, $3)
         ON CONFLICT (stream, grp, member) DO UPDATE SET seen_at = now()
       )
       UPDATE events.leases SET expires_at = now() + $4::interval
       WHERE stream = $1 AND grp = $2 AND member = $3`,
      [stream, group, member, ttl],
    );
  };
  await beat();
  // Beats on a timer, not between batches, so a long batch does not cost the partitions.
  const beatEveryMs = Math.max(100, Math.floor((opts.ttlMs ?? DEFAULT_LEASE_TTL_MS) / 4));
  const timer = setInterval(() => {
    beat().catch(() => undefined); // a missed beat is retried at the next tick; the TTL allows 3
  }, beatEveryMs);
  timer.unref();

  return {
    get owned() {
      return owned;
    },
    async rebalance() {
      if (left) return owned;
      const { rows } = await pool.query<{ member: string }>(
        `SELECT member FROM events.members
         WHERE stream = $1 AND grp = $2 AND seen_at > now() - $3::interval ORDER BY member`,
        [stream, group, ttl],
      );
      const names = rows.map((r) => r.member);
      if (!names.includes(member)) names.push(member); // a beat failed: still count ourselves
      names.sort();
      const wanted = share(partitions, names.length, names.indexOf(member));
      const { rows: held } = await pool.query<{ part: number }>(
        `WITH released AS (
           DELETE FROM events.leases
           WHERE stream = $1 AND grp = $2 AND member = $3 AND NOT (part = ANY($4::int[]))
         )
         INSERT INTO events.leases (stream, grp, part, member, expires_at)
         SELECT $1, $2, p, $3, now() + $5::interval FROM unnest($4::int[]) AS p
         ON CONFLICT (stream, grp, part) DO UPDATE
           SET member = excluded.member, expires_at = excluded.expires_at
           WHERE events.leases.member = excluded.member OR events.leases.expires_at < now()
         RETURNING part`,
        [stream, group, member, wanted, ttl],
      );
      owned = held.map((r) => r.part).sort((a, b) => a - b);
      return owned;
    },
    async leave() {
      left = true;
      clearInterval(timer);
      owned = [];
      await pool.query(
        `WITH l AS (DELETE FROM events.leases WHERE stream = $1 AND grp = $2 AND member = $3)
         DELETE FROM events.members WHERE stream = $1 AND grp = $2 AND member = $3`,
        [stream, group, member],
      );
    },
  };
}
