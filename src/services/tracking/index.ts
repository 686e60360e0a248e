import { HttpError } from '../../platform/errors.js';
import type { ServiceModule } from '../../platform/service.js';
import { affiliateRoutes } from './affiliates.routes.js';
import { trackingConfig, TRACKING_ENV } from './config.js';
import { healthRoutes } from './health.routes.js';
import { interactionRoutes } from './interactions.routes.js';
import * as init from './migrations/2026-11-24T0000-init.js';
import { statsRoutes } from './stats.routes.js';
import { declareStream, startTrackingWorkers } from './tracking.worker.js';

export const tracking: ServiceModule = {
  name: 'tracking',
  title: 'Affiliate interaction tracking',
  description:
    'Clicks, views and likes of partner campaigns, accepted through an event stream, stored once and counted per day.',
  envVars: TRACKING_ENV,
  migrations: { '2026-11-24T0000-init': init },
  async routes(app, ctx) {
    // Checked here too, so a bad TRACKING_* stops `serve --no-workers` before it serves.
    trackingConfig(ctx.env);
    // Every body here is JSON; without this, Fastify parses text/plain into a string (and 400s it)
    // instead of answering the documented 415, and the 415 says only "Unsupported Media Type".
    app.removeContentTypeParser('text/plain');
    app.addContentTypeParser('*', (request, _payload, done) => {
      const type = request.headers['content-type'];
      done(
        new HttpError(
          415,
          'Unsupported Media Type',
          `Send the body as application/json, not ${(type ?? 'no content type').slice(0, 100)}`,
        ),
      );
    });
    await declareStream(ctx);
    await healthRoutes(app, ctx);
    await interactionRoutes(app, ctx);
    await statsRoutes(app, ctx);
    await affiliateRoutes(app, ctx);
  },
  async workers(ctx) {
    await startTrackingWorkers(ctx, trackingConfig(ctx.env));
  },
};

// The interactions store, for a benchmark of what storing costs PostgreSQL (bench/tracking-store.ts):
// the worker's way (COPY, then the counters), its way for redeliveries, and the bare COPY under both.
export { copyAndCount, storeInteractions } from './interactions.repository.js';
export { copyInteractions, encodeBinaryCopy } from './interactions.copy.js';
export type { StoredInteraction } from './interactions.rules.js';
export { uuidV7 } from './interactions.service.js';
