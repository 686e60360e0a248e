import type { RunSummary, SecondSample } from '../../src/scenarios/model.js';

/** Shape of the spike: 0 outside t = 12..16, peaking at t = 14. */
const SPIKE = [0.25, 0.6, 1, 0.7, 0.3];
const SHED_503 = [4, 18, 35, 22, 6];
const NO_ANSWER = [0, 0, 3, 2, 0];

function second(t: number): SecondSample {
  const sent = t < 5 ? Math.round(40 + (160 * (t + 0.5)) / 5) : 200;
  const k = t >= 12 && t <= 16 ? (SPIKE[t - 12] ?? 0) : 0;
  const wiggle = Math.sin(t * 1.7) * 0.5 + Math.cos(t * 0.9) * 0.3;
  // While the server stalls answers pile up, then drain in the two seconds after the spike.
  const backlog = t >= 12 && t <= 16 ? Math.round(30 * k) : 0;
  const drain = t === 17 ? 60 : t === 18 ? 45 : 0;
  const completed = sent - backlog + drain;
  const s503 = t >= 12 && t <= 16 ? (SHED_503[t - 12] ?? 0) : 0;
  const s0 = t >= 12 && t <= 16 ? (NO_ANSWER[t - 12] ?? 0) : 0;
  const s409 = t % 7 === 3 ? 2 : t % 5 === 1 ? 1 : 0;
  const s201 = completed - s503 - s0 - s409;
  const byStatus: Record<string, number> = { '201': s201 };
  if (s409) byStatus['409'] = s409;
  if (s503) byStatus['503'] = s503;
  if (s0) byStatus['0'] = s0;
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    t,
    sent,
    completed,
    good: s201 + s409,
    p50: round(8.2 + wiggle + 110 * k),
    p95: round(21 + 2 * wiggle + 460 * k),
    p99: round(34 + 3 * wiggle + 786 * k),
    max: round(58 + 6 * wiggle + 1342 * k),
    byStatus,
    lagMs: round(0.6 + 0.3 * wiggle + 3 * k),
    cpuPercent: round(24 + 4 * wiggle + (t < 5 ? -8 : 0) + 6 * k),
  };
}

/**
 * A realistic run of 30 seconds at up to 200 orders/s: a latency spike at t = 12..16 s in which
 * the server sheds load with 503s and a few requests get no answer. It fails its p99 and
 * availability criteria. `overrides` replaces top-level fields.
 */
export function buildSampleSummary(overrides: Partial<RunSummary> = {}): RunSummary {
  const timeline = Array.from({ length: 30 }, (_, t) => second(t));
  const byStatus: Record<string, number> = {};
  for (const s of timeline) {
    for (const [code, n] of Object.entries(s.byStatus)) byStatus[code] = (byStatus[code] ?? 0) + n;
  }
  const requests = timeline.reduce((n, s) => n + s.completed, 0);
  const good = timeline.reduce((n, s) => n + s.good, 0);
  const availability = good / requests;
  const lags = timeline.map((s) => s.lagMs).sort((a, b) => a - b);
  return {
    scenario: 'shop-checkout-spike',
    title: 'Checkout keeps answering through a stock-sync stall',
    description:
      'Buyers place orders at a steady 200 per second while the stock ledger stalls for a few seconds. ' +
      'The shop must keep answering: shed load with a fast 503 rather than queue, and never oversell.',
    size: 'full',
    sixParts: {
      source: 'Buyers on the public storefront',
      stimulus: 'POST /orders at 200 requests/s (open model), idempotency key per order',
      environment: 'Normal operation; the stock ledger stalls for ~4 s mid-run',
      artifact: 'Shop API (Fastify) with PostgreSQL and the order worker',
      response: 'Orders are accepted or refused correctly; excess load is shed with 503 + Retry-After',
      responseMeasure: 'p99 < 250 ms, availability ≥ 99.9 %, zero oversold units',
    },
    workload: {
      model: 'open',
      stages: [
        { durationS: 5, rate: 40, rampTo: 200 },
        { durationS: 25, rate: 200 },
      ],
      maxInFlight: 512,
    },
    expectedRefusals: ['409'],
    availabilityDefinition:
      'Good: any 2xx, or a 409 "sold out" (a correct refusal). Valid: every request sent. ' +
      '503s and requests with no answer count against availability.',
    result: {
      startedAt: '2025-05-14T09:31:07.412Z',
      durationS: 30,
      requests,
      good,
      latency: { mean: 27.4, p50: 8.9, p90: 19.6, p95: 27.1, p99: 512.3, p999: 1089.5, max: 1400.4 },
      byStatus,
      timeline,
      generator: {
        maxLagMs: lags[lags.length - 1] ?? 0,
        p99LagMs: lags[Math.floor(lags.length * 0.99)] ?? 0,
        cpuPercent: 26.3,
        saturated: false,
      },
    },
    availability,
    errorRate: 1 - availability,
    throughput: requests / 30,
    measures: {
      stock: 10000,
      sold: byStatus['201'] ?? 0,
      oversold: 0,
      ledger_balanced: true,
      recovery_ms: 3200,
      shed_policy: 'under-pressure: 503 + Retry-After: 1',
    },
    verdicts: [
      { criterion: 'p99 < 250ms', actual: '512.3 ms', pass: false, detail: 'p99 reached 820 ms at t = 14 s' },
      {
        criterion: 'availability ≥ 99.9%',
        actual: `${(availability * 100).toFixed(4)} %`,
        pass: false,
        detail: '85 shed with 503, 5 with no answer',
      },
      { criterion: 'oversold == 0', actual: '0', pass: true },
      { criterion: 'ledger balanced', actual: 'yes', pass: true, detail: 'sold + remaining = 10,000' },
      { criterion: 'recovery < 5s', actual: '3.2 s', pass: true },
    ],
    outcome: 'fail',
    environment: {
      machine: 'ci-runner-7 (Linux 6.1 x64)',
      cpus: 8,
      cpuModel: 'AMD EPYC 7763 64-Core Processor',
      memoryGiB: 32,
      node: 'v20.20.2',
      postgres: '18.0 (embedded)',
      commit: '3f9c2ab',
      target: 'http://127.0.0.1:3000',
      sharedCores: true,
      cpuCheck: { aloneMs: 480, togetherMs: 873, workers: 2 },
    },
    ...overrides,
  };
}
