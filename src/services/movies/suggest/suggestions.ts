import type pg from 'pg';
import { isDbUnreachable, LastGood, type Read } from '../../../platform/db/last-good.js';
import type { Logger } from '../../../platform/logger.js';
import type { Genre } from '../genres.js';
import type { Movie } from '../movies.schema.js';
import { serveModel, type ServedModel } from './serve-model.js';
import { readModel } from './store.js';

export interface Suggestion {
  movie: Movie;
  score: number;
  reason: string;
}

export interface SuggestionsOptions {
  /** How often this instance looks for a new build or a changed catalogue. */
  syncMs: number;
  /**
   * The longest a user's ratings read here are used. Each sync forgets the users who rated since
   * the last one, so this bounds only a change the sync could miss.
   */
  ratingsFreshMs: number;
}

type Rated = { movie: number; score: number }[];
type UserRatings = Rated | undefined;

/**
 * How far back each sync looks past the previous one: a rating's time is when its transaction
 * began, so one that commits late still carries a time the previous look already passed.
 */
const RATED_LOOKBACK = '5 seconds';

/** Entries of the answer cache, least recently computed dropped first. */
const MAX_ANSWERS = 100_000;

const sameRatings = (a: Rated, b: Rated) =>
  a === b || (a.length === b.length && a.every((r, i) => r.movie === b[i]!.movie && r.score === b[i]!.score));

/**
 * One instance's view of the suggestion model: the latest build and the catalogue, both loaded
 * from PostgreSQL and reloaded when they change there, so every instance serves the same build
 * within `syncMs`. A suggestion is then a lookup in memory plus the user's ratings, read once and
 * kept until a sync sees that user rate again (at once after this instance wrote one), so the
 * request path asks PostgreSQL nothing while nobody rates.
 */
export class Suggestions {
  private model: ServedModel | undefined;
  private version = -1;
  private catalogue = new Map<number, Movie>();
  private catalogueMark = '';
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  /** PostgreSQL's clock at the last sync that saw it, and this instance's clock then. */
  private ratedSince: string | undefined;
  private lastSyncAt = 0;
  private readonly ratings: LastGood<UserRatings>;
  /**
   * Each user's answers for the ratings and the build they were computed from: the same inputs
   * give the same answer, so it is computed once (a fraction of a millisecond) and then looked up.
   */
  private readonly answers = new Map<number, { ratings: Rated; results: Map<string, Suggestion[]> }>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    private readonly opts: SuggestionsOptions,
  ) {
    this.ratings = new LastGood({ max: 100_000, freshForMs: opts.ratingsFreshMs });
  }

  /** Loads what is there now (a database that is down only delays it) and keeps it current. */
  async start(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => void this.sync(), this.opts.syncMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.syncing;
  }

  /** The build this instance serves (-1 before the first load). */
  get servedVersion(): number {
    return this.version;
  }

  /** Forgets the user's ratings, after this instance changed them. */
  forgetUser(userId: number): void {
    this.ratings.forget(String(userId));
  }

  /** Forgets a movie at once on the instance that deleted it; the others within `syncMs`. */
  forgetMovie(movieId: number): void {
    this.catalogue.delete(movieId);
    this.answers.clear();
  }

  /** The user's suggestions, or undefined for an unknown user; stale while the database is down. */
  async forUser(
    userId: number,
    opts: { limit: number; genre?: Genre },
  ): Promise<Read<Suggestion[] | undefined>> {
    const read = this.staleWhenSyncFails(
      await this.ratings.read(String(userId), () => this.readRatings(userId)),
    );
    if (!read.value) {
      // Not kept: a user another instance creates must be found here at once.
      this.ratings.forget(String(userId));
      return { ...read, value: undefined };
    }
    const key = `${opts.genre ?? ''}:${opts.limit}`;
    let entry = this.answers.get(userId);
    if (!entry || !sameRatings(entry.ratings, read.value)) {
      this.answers.delete(userId);
      if (this.answers.size >= MAX_ANSWERS) this.answers.delete(this.answers.keys().next().value!);
      this.answers.set(userId, (entry = { ratings: read.value, results: new Map() }));
    }
    const known = entry.results.get(key);
    if (known) return { ...read, value: known };
    const value = this.compute(read.value, opts);
    entry.results.set(key, value);
    return { ...read, value };
  }

  /**
   * Ratings kept from before an outage are as fresh as the last sync that reached PostgreSQL:
   * past two sync periods without one, the answer is marked stale like any read from memory.
   */
  private staleWhenSyncFails<T>(read: Read<T>): Read<T> {
    if (read.staleSince || Date.now() - this.lastSyncAt < 2 * this.opts.syncMs) return read;
    return { ...read, staleSince: new Date(this.lastSyncAt) };
  }

  private compute(ratings: Rated, opts: { limit: number; genre?: Genre }): Suggestion[] {
    const picks = this.model?.recommend(ratings, { ...opts, limit: opts.limit + 10 }) ?? [];
    const value: Suggestion[] = [];
    for (const pick of picks) {
      const movie = this.catalogue.get(pick.movie);
      if (movie && (!opts.genre || movie.genre === opts.genre)) value.push({ ...pick, movie });
      if (value.length === opts.limit) break;
    }
    return value;
  }

  /** Movies like this one, or undefined when this instance does not know the movie. */
  similar(movieId: number, limit: number): { movie: Movie; score: number }[] | undefined {
    if (!this.catalogue.has(movieId)) return undefined;
    const out: { movie: Movie; score: number }[] = [];
    for (const pick of this.model?.similar(movieId, limit + 10) ?? []) {
      const movie = this.catalogue.get(pick.movie);
      if (movie) out.push({ movie, score: pick.score });
      if (out.length === limit) break;
    }
    return out;
  }

  private async readRatings(userId: number): Promise<UserRatings> {
    const { rows } = await this.pool.query<{ movie: number | null; score: number | null }>(
      `SELECT r.movie_id::int AS movie, r.score FROM movies.users u
       LEFT JOIN movies.ratings r ON r.user_id = u.id WHERE u.id = $1 ORDER BY r.movie_id`,
      [userId],
    );
    if (rows.length === 0) return undefined;
    return rows.flatMap((r) => (r.movie === null ? [] : [{ movie: r.movie, score: r.score! }]));
  }

  private sync(): Promise<void> {
    return (this.syncing ??= this.syncOnce()
      .catch((err: unknown) => {
        // Down is the AP case: serve what is loaded and look again at the next tick.
        if (isDbUnreachable(err))
          this.log.debug({ err }, 'suggestions: database unreachable, serving what is loaded');
        else this.log.error({ err }, 'suggestions: could not load the model');
      })
      .finally(() => (this.syncing = undefined)));
  }

  private async syncOnce(): Promise<void> {
    const { rows } = await this.pool.query<{ version: number; mark: string; now: string; rated: number[] }>(
      `SELECT (SELECT version::int FROM movies.model) AS version,
              (SELECT count(*) || ':' || coalesce(max(id), 0) FROM movies.movies) AS mark,
              now()::text AS now,
              ARRAY(SELECT DISTINCT user_id::int FROM movies.ratings
                    WHERE $1::timestamptz IS NOT NULL AND rated_at > $1::timestamptz - $2::interval) AS rated`,
      [this.ratedSince ?? null, RATED_LOOKBACK],
    );
    const { version, mark, now, rated } = rows[0]!;
    for (const user of rated) this.ratings.forget(String(user));
    this.ratedSince = now;
    this.lastSyncAt = Date.now();
    if (mark !== this.catalogueMark) {
      const movies = await this.pool.query<Movie>(
        'SELECT id, name, release_year, description, genre FROM movies.movies',
      );
      this.catalogue = new Map(movies.rows.map((m) => [m.id, m]));
      this.catalogueMark = mark;
      this.answers.clear();
    }
    if (version !== this.version) {
      const stored = await readModel(this.pool);
      this.model = serveModel(stored, (id: number) => this.catalogue.get(id));
      this.version = stored.version;
      this.answers.clear();
      this.log.info(
        { version: stored.version, neighbours: stored.neighbours.length },
        'suggestions: serving model',
      );
    }
  }
}
