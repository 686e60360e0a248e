import type { FastifyInstance } from 'fastify';
import { Counter, Gauge } from 'prom-client';
import type { AnyDb } from '../../platform/db/database.js';
import { countAlerts, countStale } from './alerts.repository.js';

/**
 * The alert metrics, read from PostgreSQL at each scrape: any instance reports the whole
 * deployment's figures, whichever instance raised the alerts (use max(), not sum(), across
 * instances). A worker-only process has no /metrics; the figures are the same there.
 */
export function registerAlertMetrics(app: FastifyInstance, db: AnyDb): void {
  const registers = [app.metrics.registry];
  new Gauge({
    name: 'criticality_stale_consumers',
    help: 'Consumer apps silent for longer than CRITICALITY_STALE_AFTER, with their alert raised',
    registers,
    async collect() {
      this.set(await countStale(db));
    },
  });
  new Counter({
    name: 'criticality_stale_alerts_total',
    help: 'Stale-consumer alerts raised, one per silence',
    registers,
    async collect() {
      this.reset();
      this.inc(await countAlerts(db));
    },
  });
}
