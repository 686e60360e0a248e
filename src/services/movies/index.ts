import type { ServiceModule } from '../../platform/service.js';
import * as init from './migrations/2026-12-08T0000-init.js';
import { movieRoutes } from './movies.routes.js';
import { Movie } from './movies.schema.js';
import { ratingRoutes } from './ratings.routes.js';
import { Rating } from './ratings.schema.js';
import { rootRoute } from './root.routes.js';
import { userRoutes } from './users.routes.js';
import { User } from './users.schema.js';

export const movies: ServiceModule = {
  name: 'movies',
  title: 'Movies',
  description: 'A movie catalogue, users and their ratings, and suggestions from their tastes.',
  migrations: { '2026-12-08T0000-init': init },
  async routes(app, ctx) {
    // Every body here is JSON; without this, text/plain is parsed into a string and the schema
    // answers 422 or 400 about its fields instead of the documented 415.
    app.removeContentTypeParser('text/plain');
    app.addSchema(Movie);
    app.addSchema(User);
    app.addSchema(Rating);
    await movieRoutes(app, ctx);
    await userRoutes(app, ctx);
    await ratingRoutes(app, ctx);
  },
  root: rootRoute,
};

export { GENRES, type Genre } from './genres.js';
