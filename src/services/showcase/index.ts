import { BEARER_SCHEME, createBearerTokens } from '../../platform/auth/bearer.js';
import { sharedSecret } from '../../platform/auth/shared-secret.js';
import { HttpError } from '../../platform/errors.js';
import type { ServiceModule } from '../../platform/service.js';
import { authRoutes } from './auth.routes.js';
import { showcaseConfig, SHOWCASE_ENV } from './config.js';
import { SHOWCASE_MEDIA_ENV } from './media/config.js';
import { fileRoutes } from './files.routes.js';
import * as init from './migrations/2026-12-08T0000-init.js';
import { publicRoutes } from './public.routes.js';
import { demoShowcase, seedShowcase } from './seed.js';
import { createProcessQueue } from './videos.keys.js';
import { videoRoutes } from './videos.routes.js';
import { startProcessWorkers } from './videos.worker.js';
import { webRoutes } from './web.routes.js';

export const showcase: ServiceModule = {
  name: 'showcase',
  title: 'Rising Stars Showcase',
  description:
    'Players upload videos of their skills, which are processed in the background; the public votes for published videos, once per user per video, and the rankings by city pick the showcase.',
  page: '/showcase/',
  envVars: { ...SHOWCASE_ENV, ...SHOWCASE_MEDIA_ENV },
  migrations: { '2026-12-08T0000-init': init },
  securitySchemes: { bearer: BEARER_SCHEME },
  async routes(app, ctx) {
    const config = showcaseConfig(ctx.env);
    const tokens = createBearerTokens({
      secret: config.jwtSecret ?? (await sharedSecret(ctx.db, 'showcase.jwt')),
      ttlSeconds: config.tokenTtlSeconds,
      realm: 'showcase',
    });
    await createProcessQueue(ctx, {
      retries: config.processRetries,
      delaySeconds: config.processRetryDelaySeconds,
    });
    // JSON bodies only, outside the upload route's own scope: anything else is a 415 saying so.
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
    await authRoutes(app, ctx, tokens, config);
    await videoRoutes(app, ctx, tokens, config);
    await publicRoutes(app, ctx, tokens);
    await fileRoutes(app, ctx);
    await webRoutes(app, ctx, config);
  },
  workers: startProcessWorkers,
  seed: seedShowcase,
  demo: demoShowcase,
};

/** What the processing worker (and tests) plug into: the queue, statuses and storage keys. */
export {
  originalKey,
  processedKey,
  PROCESS_DEAD_LETTER,
  PROCESS_QUEUE,
  VIDEO_STATUSES,
  type ProcessJob,
  type VideoStatus,
} from './videos.keys.js';
