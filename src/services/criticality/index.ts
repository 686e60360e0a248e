import { HttpError } from '../../platform/errors.js';
import type { ServiceModule } from '../../platform/service.js';
import { registerAlertMetrics } from './alerts.metrics.js';
import { startAlertWorkers } from './alerts.worker.js';
import { appRoutes } from './apps.routes.js';
import { ADMIN_SCHEME, APP_TOKEN_SCHEME } from './auth.js';
import { criticalityConfig, CRITICALITY_ENV } from './config.js';
import { dashboardRoutes } from './dashboard.routes.js';
import * as init from './migrations/2026-12-07T0000-init.js';
import { updateRoutes } from './updates.routes.js';
import { updatesService } from './updates.service.js';

export const criticality: ServiceModule = {
  name: 'criticality',
  title: 'Criticality (Secapp)',
  description:
    'Producer apps post the current criticality level; each consumer app is given every new latest state once, and an app that stops polling raises an alert.',
  envVars: CRITICALITY_ENV,
  migrations: { '2026-12-07T0000-init': init },
  securitySchemes: { secappToken: APP_TOKEN_SCHEME, secappAdmin: ADMIN_SCHEME },
  async routes(app, ctx) {
    // Read here, so a missing production secret stops the start before anything is served.
    const config = criticalityConfig(ctx.env, ctx.log);
    // Every body here is JSON; anything else is a 415 saying so, not a 422 about its fields.
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
    registerAlertMetrics(app, ctx.db);
    await updateRoutes(app, updatesService(ctx.pool, config));
    await appRoutes(app, ctx, config.adminToken);
    await dashboardRoutes(app, ctx, config);
  },
  workers: startAlertWorkers,
};
