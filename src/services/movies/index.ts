import type { ServiceModule } from '../../platform/service.js';
import { MOVIES_ENV, moviesConfig } from './config.js';
import * as init from './migrations/2026-12-08T0000-init.js';
import * as suggestionTables from './migrations/2026-12-09T0000-suggestions.js';
import * as ratingsChanged from './migrations/2026-12-10T0000-ratings-changed.js';
import { movieRoutes } from './movies.routes.js';
import { Movie } from './movies.schema.js';
import { ratingRoutes } from './ratings.routes.js';
import { Rating } from './ratings.schema.js';
import { rootRoute } from './root.routes.js';
import { demoCatalogue, seedMovies } from './seed.js';
import { startRefreshLoop } from './suggest/refresh.js';
import { Suggestions } from './suggest/suggestions.js';
import { Recommendation, SimilarMovie } from './suggestions.schema.js';
import { suggestionRoutes } from './suggestions.routes.js';
import { userRoutes } from './users.routes.js';
import { User } from './users.schema.js';

/** How often an instance looks for a new model build, a changed catalogue and users who rated. */
const SYNC_MS = 1_000;
/** The longest a user's ratings read here are used, should a change ever slip past the sync. */
const RATINGS_KEPT_MS = 60_000;

export const movies: ServiceModule = {
  name: 'movies',
  title: 'Movies',
  description: 'A movie catalogue, users and their ratings, and suggestions from their tastes.',
  envVars: MOVIES_ENV,
  migrations: {
    '2026-12-08T0000-init': init,
    '2026-12-09T0000-suggestions': suggestionTables,
    '2026-12-10T0000-ratings-changed': ratingsChanged,
  },
  async routes(app, ctx) {
    moviesConfig(ctx.env);
    // Every body here is JSON; without this, text/plain is parsed into a string and the schema
    // answers 422 or 400 about its fields instead of the documented 415.
    app.removeContentTypeParser('text/plain');
    app.addSchema(Movie);
    app.addSchema(User);
    app.addSchema(Rating);
    app.addSchema(Recommendation);
    app.addSchema(SimilarMovie);
    const suggestions = new Suggestions(ctx.pool, ctx.log.child({ service: 'movies' }), {
      syncMs: SYNC_MS,
      ratingsFreshMs: RATINGS_KEPT_MS,
    });
    await suggestions.start();
    app.addHook('onClose', () => suggestions.stop());
    await movieRoutes(app, ctx, suggestions);
    await userRoutes(app, ctx);
    await ratingRoutes(app, ctx, suggestions);
    await suggestionRoutes(app, ctx, suggestions);
  },
  async workers(ctx) {
    return startRefreshLoop(ctx.pool, ctx.log, moviesConfig(ctx.env).modelRefreshMs);
  },
  seed: seedMovies,
  demo: demoCatalogue,
  root: rootRoute,
};

export { GENRES, type Genre } from './genres.js';
