import type { Scenario } from '../scenario.js';
import { criticalityExactlyOnce } from './criticality-exactly-once.js';
import { criticalityLoad } from './criticality-load.js';
import { criticalityStaleAlert } from './criticality-stale-alert.js';
import { moviesAvailability } from './movies-availability.js';
import { moviesPartition } from './movies-partition.js';
import { moviesReliability } from './movies-reliability.js';
import { moviesLogs } from './movies-logs.js';
import { moviesStress } from './movies-stress.js';
import { platformOverload } from './platform-overload.js';
import { shopConsistency } from './shop-consistency.js';
import { shopPeak } from './shop-peak.js';
import { showcaseCapacity } from './showcase-capacity.js';
import { showcaseWorker } from './showcase-worker.js';
import { trackingAvailability } from './tracking-availability.js';
import { trackingBrokerFailover } from './tracking-failover.js';
import { trackingThroughput } from './tracking-throughput.js';

/** Every scenario, in the order `scenario list` and the scorecard show them. */
export const SCENARIOS: Scenario[] = [
  shopConsistency(),
  ...['pessimistic', 'optimistic', 'queued', 'grouped', 'breaker'].map((mode) => shopConsistency(mode)),
  shopPeak(),
  shopPeak('grouped'),
  platformOverload,
  trackingThroughput('postgres'),
  trackingThroughput('jetstream'),
  trackingAvailability,
  trackingBrokerFailover,
  criticalityExactlyOnce,
  criticalityLoad,
  criticalityStaleAlert,
  moviesAvailability,
  moviesPartition,
  moviesReliability,
  moviesStress,
  moviesLogs,
  showcaseCapacity,
  showcaseWorker,
];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
