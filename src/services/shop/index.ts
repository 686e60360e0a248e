import type { ServiceModule } from '../../platform/service.js';
import { shopConfig, SHOP_ENV } from './config.js';
import { customerRoutes } from './customers.routes.js';
import { Customer } from './customers.schema.js';
import { discRoutes } from './discs.routes.js';
import { Disc } from './discs.schema.js';
import * as init from './migrations/2026-11-23T0000-init.js';
import { orderRoutes } from './orders.routes.js';
import { Order } from './orders.schema.js';
import { orderService } from './orders.service.js';
import { createReserveQueue, startReserveWorker } from './orders.worker.js';
import { seedShop } from './seed.js';

export const shop: ServiceModule = {
  name: 'shop',
  title: 'Record shop',
  description: 'Discs, customers and purchase orders that never oversell under a promotion peak.',
  envVars: SHOP_ENV,
  migrations: { '2026-11-23T0000-init': init },
  async routes(app, ctx) {
    const config = shopConfig(ctx.env);
    // Every body here is JSON; without this, Fastify parses text/plain into a string and the
    // schema answers 422 instead of the documented 415.
    app.removeContentTypeParser('text/plain');
    if (config.concurrency === 'queued' || config.concurrency === 'breaker') await createReserveQueue(ctx);
    app.addSchema(Disc);
    app.addSchema(Customer);
    app.addSchema(Order);
    await discRoutes(app, ctx);
    await customerRoutes(app, ctx);
    await orderRoutes(app, ctx, orderService(ctx.db, ctx.pool, ctx.jobs, config.concurrency));
    ctx.log.info({ concurrency: config.concurrency }, 'shop ready');
  },
  async workers(ctx) {
    await startReserveWorker(ctx);
  },
  seed: seedShop,
};

/** How purchases can be serialized (SHOP_CONCURRENCY), for a benchmark that compares them. */
export { CONCURRENCY_MODES, type Concurrency } from './config.js';
