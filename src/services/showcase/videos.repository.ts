import { sql, type Kysely } from 'kysely';
import { processedUrl, type VideoStatus } from './videos.keys.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- queries here are raw SQL
type Db = Kysely<any>;

export interface VideoRow {
  id: string;
  owner_id: number;
  title: string;
  status: VideoStatus;
  failure_reason: string | null;
  uploaded_at: Date;
  processed_at: Date | null;
  votes: number;
}

/** A processed file exists once the worker is done, and stays through publishing. */
export const hasProcessed = (status: VideoStatus) => status === 'processed' || status === 'public';

export const summaryOf = (v: VideoRow) => ({
  video_id: v.id,
  title: v.title,
  status: v.status,
  uploaded_at: v.uploaded_at.toISOString(),
  processed_at: v.processed_at?.toISOString() ?? null,
  processed_url: hasProcessed(v.status) ? processedUrl(v.id) : null,
});

const COLUMNS = sql`id, owner_id, title, status, failure_reason, uploaded_at, processed_at, votes`;

export async function insertVideo(
  db: Db,
  v: { id: string; owner_id: number; title: string; original_bytes: number; task_id: string },
): Promise<void> {
  await sql`
    INSERT INTO showcase.videos (id, owner_id, title, original_bytes, task_id)
    VALUES (${v.id}, ${v.owner_id}, ${v.title}, ${v.original_bytes}, ${v.task_id})`.execute(db);
}

export async function listOwn(db: Db, ownerId: number): Promise<VideoRow[]> {
  const { rows } = await sql<VideoRow>`
    SELECT ${COLUMNS} FROM showcase.videos WHERE owner_id = ${ownerId}
    ORDER BY uploaded_at DESC, id DESC`.execute(db);
  return rows;
}

export async function findVideo(
  db: Db,
  id: string,
  opts: { lock?: boolean } = {},
): Promise<VideoRow | undefined> {
  const lock = opts.lock ? sql`FOR UPDATE` : sql``;
  const { rows } =
    await sql<VideoRow>`SELECT ${COLUMNS} FROM showcase.videos WHERE id = ${id} ${lock}`.execute(db);
  return rows[0];
}

export async function deleteVideo(db: Db, id: string): Promise<void> {
  await sql`DELETE FROM showcase.videos WHERE id = ${id}`.execute(db);
}

/** True when the video was processed (or already public) and now is public. */
export async function publishVideo(db: Db, id: string): Promise<boolean> {
  const { rows } = await sql`
    UPDATE showcase.videos SET status = 'public', published_at = coalesce(published_at, now())
    WHERE id = ${id} AND status IN ('processed', 'public')
    RETURNING id`.execute(db);
  return rows.length > 0;
}

/**
 * Records the vote if the video is public and the user has not voted for it; the primary key
 * (video_id, user_id) decides between concurrent votes. 'voted', or why not.
 */
export async function castVote(
  db: Db,
  videoId: string,
  userId: number,
): Promise<'voted' | 'missing' | 'not public' | 'already'> {
  return db.transaction().execute(async (tx) => {
    const { rows } = await sql`
      INSERT INTO showcase.votes (video_id, user_id)
      SELECT id, ${userId} FROM showcase.videos WHERE id = ${videoId} AND status = 'public'
      ON CONFLICT DO NOTHING
      RETURNING video_id`.execute(tx);
    if (rows.length > 0) {
      await sql`UPDATE showcase.videos SET votes = votes + 1 WHERE id = ${videoId}`.execute(tx);
      return 'voted';
    }
    const video = await findVideo(tx, videoId);
    if (!video) return 'missing';
    if (video.status !== 'public') return 'not public';
    return 'already';
  });
}

const cityFilter = (column: ReturnType<typeof sql.ref>, city: string | undefined) =>
  city === undefined || city.trim() === ''
    ? sql`true`
    : sql`strpos(showcase.fold(coalesce(${column}, '')), showcase.fold(${city.normalize('NFC').trim()})) > 0`;

export interface PublicVideoRow {
  id: string;
  title: string;
  uploaded_at: Date;
  owner_name: string;
  owner_city: string | null;
  votes: number;
}

export async function publicVideos(
  db: Db,
  q: { page: number; limit: number; city?: string },
): Promise<PublicVideoRow[]> {
  const { rows } = await sql<PublicVideoRow>`
    SELECT v.id, v.title, v.uploaded_at, u.first_name || ' ' || u.last_name AS owner_name,
      u.city AS owner_city, v.votes
    FROM showcase.videos v JOIN showcase.users u ON u.id = v.owner_id
    WHERE v.status = 'public' AND ${cityFilter(sql.ref('u.city'), q.city)}
    ORDER BY v.published_at DESC, v.id DESC
    LIMIT ${q.limit} OFFSET ${(q.page - 1) * q.limit}`.execute(db);
  return rows;
}

export interface RankingRow {
  position: number;
  username: string;
  city: string | null;
  votes: number;
}

/**
 * Players with a public video, by the votes of their public videos; equal totals keep the order
 * of sign-up (the user id), so a page never shuffles between requests.
 */
export async function rankings(
  db: Db,
  q: { page: number; limit: number; city?: string },
): Promise<RankingRow[]> {
  const { rows } = await sql<RankingRow>`
    SELECT (row_number() OVER (ORDER BY sum(v.votes) DESC, u.id))::int AS position,
      u.first_name || ' ' || u.last_name AS username, u.city, sum(v.votes)::int AS votes
    FROM showcase.users u JOIN showcase.videos v ON v.owner_id = u.id AND v.status = 'public'
    WHERE ${cityFilter(sql.ref('u.city'), q.city)}
    GROUP BY u.id
    ORDER BY position
    LIMIT ${q.limit} OFFSET ${(q.page - 1) * q.limit}`.execute(db);
  return rows;
}

/**
 * The worker takes the video: true if it still waits (uploaded, or processing by a try that did
 * not finish); false if it was deleted, or is already done, meanwhile.
 */
export async function startProcessing(db: Db, id: string): Promise<boolean> {
  const { rows } = await sql`
    UPDATE showcase.videos SET status = 'processing', failure_reason = NULL
    WHERE id = ${id} AND status IN ('uploaded', 'processing')
    RETURNING id`.execute(db);
  return rows.length > 0;
}

/** True if the video was still being processed (not deleted meanwhile) and now is processed. */
export async function finishProcessing(db: Db, id: string): Promise<boolean> {
  const { rows } = await sql`
    UPDATE showcase.videos SET status = 'processed', processed_at = now(), failure_reason = NULL
    WHERE id = ${id} AND status = 'processing'
    RETURNING id`.execute(db);
  return rows.length > 0;
}

/** Back to waiting, for a try cut short by a worker stopping; its job is retried. */
export async function requeueProcessing(db: Db, id: string): Promise<void> {
  await sql`
    UPDATE showcase.videos SET status = 'uploaded'
    WHERE id = ${id} AND status = 'processing'`.execute(db);
}

/** True if the video was waiting or being processed, and now is failed with the reason. */
export async function failProcessing(db: Db, id: string, reason: string): Promise<boolean> {
  const { rows } = await sql`
    UPDATE showcase.videos SET status = 'failed', failure_reason = ${reason.slice(0, 1000)}
    WHERE id = ${id} AND status IN ('uploaded', 'processing')
    RETURNING id`.execute(db);
  return rows.length > 0;
}
