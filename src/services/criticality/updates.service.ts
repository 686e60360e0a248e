import type pg from 'pg';
import { UnprocessableError } from '../../platform/errors.js';
import { sameToken } from '../../platform/auth/secrets.js';
import { BAD_TOKEN, checkAppToken, MAX_APP_NAME, tokenDigest } from './auth.js';
import { parseChangeAt } from './change-at.js';
import { batchedReads } from './poll-batches.js';
import * as repo from './updates.repository.js';
import type { Delivery, StateChange } from './updates.schema.js';

export interface Caller {
  appName: string;
  token: string;
}

/** How stale a recorded poll may be before a poll that delivers nothing writes it again. */
export function pollRecordSeconds(staleAfterMs: number): number {
  // A tenth of the window, at most a second: an alert can then fire at most that much early.
  return Math.min(1, staleAfterMs / 10 / 1000);
}

/** Enough to keep reads going while one waits on the pool; the rest wait and share. */
const POLL_READS_IN_FLIGHT = 4;

export function updatesService(pool: pg.Pool, opts: { sharedToken: string; staleAfterMs: number }) {
  const freshSeconds = pollRecordSeconds(opts.staleAfterMs);
  // Up to this many poll reads at once; polls arriving meanwhile share the next one, so under
  // load PostgreSQL answers many polls per statement instead of one.
  const pollView = batchedReads((names) => repo.pollViews(pool, names, freshSeconds), POLL_READS_IN_FLIGHT);
  return {
    /** Stores a state; its id is the processed_id, whether or not it becomes the latest. */
    async publish(caller: Caller, body: StateChange): Promise<{ processed_id: number }> {
      const at = parseChangeAt(body.Change_at);
      if (!at.ok) throw new UnprocessableError(`body.Change_at ${at.error}`);
      // What can be refused without the app's registration is refused before any query.
      if (!caller.token || !caller.appName || caller.appName.length > MAX_APP_NAME)
        checkAppToken(caller.token, caller.appName, undefined, opts.sharedToken, BAD_TOKEN.post);
      // The token check and the insert in one statement: one round trip for a post.
      const stored = await repo.insertStateIfAllowed(pool, caller.appName, body.current_status, at.utc, {
        tokenDigest: tokenDigest(caller.token),
        sharedToken: sameToken(caller.token, opts.sharedToken),
      });
      if (stored.id !== undefined) return { processed_id: stored.id };
      checkAppToken(caller.token, caller.appName, stored.app, opts.sharedToken, BAD_TOKEN.post);
      throw new Error('the database refused a post that the token check allows');
    },

    /**
     * The latest state if this app has not been given it, else {}. Most polls find nothing new
     * and a recent record of their last poll: they answer from one read, writing nothing.
     */
    async poll(caller: Caller): Promise<Delivery> {
      const view = await pollView(caller.appName);
      checkAppToken(caller.token, caller.appName, view.app, opts.sharedToken, BAD_TOKEN.get);
      if (view.upToDate && view.fresh) return {};
      const delivered = await repo.recordPoll(pool, caller.appName, view.upToDate ? undefined : view.latest);
      if (!delivered || !view.latest) return {};
      return {
        current_status: view.latest.current_status,
        status_change_id: view.latest.id,
        Change_at: view.latest.change_at_text,
      };
    },
  };
}
export type UpdatesService = ReturnType<typeof updatesService>;
