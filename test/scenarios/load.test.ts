/**
 * The load engine against real local HTTP servers (node:http on port 0). Timing assertions have
 * generous tolerances for a busy 2-core machine, but each one would catch a broken engine.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoadResult, RequestSpec, SecondSample } from '../../src/scenarios/model.js';
import { runLoad } from '../../src/scenarios/load/engine.js';
import { judge, LAG_P99_LIMIT_MS } from '../../src/scenarios/load/generator-watch.js';
import { openSchedule } from '../../src/scenarios/load/schedule.js';

interface TestServer {
  url: string;
  /** Arrivals counted per second of the server's clock, from the first arrival. */
  arrivalsPerSecond: number[];
  close(): Promise<void>;
}

const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Serves `handler` on 127.0.0.1, port 0, with the request body read first. */
async function serve(handler: (body: string, res: http.ServerResponse) => void): Promise<TestServer> {
  const arrivalsPerSecond: number[] = [];
  let first: number | undefined;
  const server = http.createServer((req, res) => {
    const now = performance.now();
    first ??= now;
    const second = Math.floor((now - first) / 1000);
    arrivalsPerSecond[second] = (arrivalsPerSecond[second] ?? 0) + 1;
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handler(body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const s: TestServer = {
    url: `http://127.0.0.1:${port}`,
    arrivalsPerSecond,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(s);
  return s;
}

const fast = (_body: string, res: http.ServerResponse) => res.end('ok');
const get = (): RequestSpec => ({ method: 'GET', path: '/' });

/**
 * Every request arriving from the `stallAt`-th one until `stallMs` later waits until then: a
 * global pause (a GC, a lock, a failover), which a concurrent server shows to every client.
 */
function stallOnce(stallAt: number, stallMs: number) {
  let n = 0;
  let pausedUntil = 0;
  return (_body: string, res: http.ServerResponse) => {
    const now = performance.now();
    if (++n === stallAt) pausedUntil = now + stallMs;
    if (pausedUntil > now) setTimeout(() => res.end('ok'), pausedUntil - now);
    else res.end('ok');
  };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** What must hold for any result: the timeline adds up to the totals. */
function expectConsistent(r: LoadResult): void {
  expect(r.timeline.map((s) => s.t)).toEqual(r.timeline.map((_, i) => i));
  expect(sum(r.timeline.map((s) => s.completed))).toBe(r.requests);
  expect(sum(r.timeline.map((s) => s.good))).toBe(r.good);
  expect(sum(Object.values(r.byStatus))).toBe(r.requests);
  for (const s of r.timeline) expect(sum(Object.values(s.byStatus))).toBe(s.completed);
}

describe('open model', () => {
  it('holds its rate: 200 req/s for 5 s', async () => {
    const server = await serve(fast);
    const calls: { s: SecondSample; at: number; requests: number }[] = [];
    const r = await runLoad({
      baseUrl: server.url,
      workload: { model: 'open', stages: [{ rate: 200, durationS: 5 }] },
      request: get,
      onSecond: (s, totals) => calls.push({ s, at: performance.now(), requests: totals.requests }),
    });

    expectConsistent(r);
    expect(Math.abs(r.requests - 1000)).toBeLessThanOrEqual(30);
    expect(r.good).toBe(r.requests);
    expect(r.byStatus).toEqual({ '200': r.requests });
    expect(r.timeline).toHaveLength(5);
    const timeline = JSON.stringify(r.timeline);
    for (const s of r.timeline) {
      expect(s.sent, timeline).toBeGreaterThanOrEqual(180);
      expect(s.sent, timeline).toBeLessThanOrEqual(220);
    }
    // What the server saw, by its own clock (from the first arrival): the rate held in every
    // full second. The first one also pays for warm-up (connections, JIT), hence the looser bound.
    const seen = server.arrivalsPerSecond;
    expect(seen[0], String(seen)).toBeGreaterThanOrEqual(150);
    expect(seen[0], String(seen)).toBeLessThanOrEqual(250);
    for (const n of seen.slice(1, 4)) {
      expect(n, String(seen)).toBeGreaterThanOrEqual(180);
      expect(n, String(seen)).toBeLessThanOrEqual(220);
    }
    expect(sum(seen)).toBe(r.requests);
    // Answers are counted when they come: about 200 a second too, once warm.
    for (const s of r.timeline.slice(1)) {
      expect(s.completed, timeline).toBeGreaterThanOrEqual(160);
      expect(s.completed, timeline).toBeLessThanOrEqual(240);
    }

    expect(r.latency.p50).toBeGreaterThan(0);
    expect(r.latency.p50).toBeLessThan(50);
    expect(r.durationS).toBeGreaterThanOrEqual(5);
    expect(r.durationS).toBeLessThan(6);
    // Not a saturation verdict (a machine busy enough can earn one, rightly: see the unit test of
    // judge), but a sane generator: lag and CPU far from what a saturated one shows.
    expect(r.generator.p99LagMs).toBeLessThan(250);
    expect(r.generator.cpuPercent).toBeLessThan(90);

    // onSecond: once per second, in order, about a second apart, with running totals.
    expect(calls.map((c) => c.s.t)).toEqual([0, 1, 2, 3, 4]);
    expect(calls.map((c) => c.s)).toEqual(r.timeline);
    for (let i = 1; i < 4; i++) {
      const gap = calls[i]!.at - calls[i - 1]!.at;
      expect(gap).toBeGreaterThan(750);
      expect(gap).toBeLessThan(1250);
    }
    expect(calls.at(-1)!.requests).toBe(r.requests);
  });

  it('shows a stall the closed model hides (no coordinated omission)', async () => {
    // Open: 200 req/s for 3 s; at the 200th request (~1 s in) the server pauses 1 s. The ~200
    // requests due during the pause are charged from their intended send time: 0 to 1000 ms.
    const openServer = await serve(stallOnce(200, 1000));
    const open = await runLoad({
      baseUrl: openServer.url,
      workload: { model: 'open', stages: [{ rate: 200, durationS: 3 }] },
      request: get,
    });
    expectConsistent(open);
    expect(open.good).toBe(600);
    expect(open.latency.p99).toBeGreaterThan(700);
    expect(open.latency.p95).toBeGreaterThan(500);
    expect(open.latency.max).toBeGreaterThan(900);
    expect(open.latency.max).toBeLessThan(1500);

    // Closed, one user: the same pause delays one request; the user simply waits, sends nothing
    // meanwhile, and the percentiles never learn about the requests that were not sent.
    const closedServer = await serve(stallOnce(100, 1000));
    const closed = await runLoad({
      baseUrl: closedServer.url,
      workload: { model: 'closed', users: 1, durationS: 2.5, thinkMs: [2, 2] },
      request: get,
    });
    expectConsistent(closed);
    expect(closed.requests).toBeGreaterThan(150);
    expect(closed.latency.max).toBeGreaterThan(900);
    expect(closed.latency.p99).toBeLessThan(100);
  });

  it('charges sends the generator delayed from their intended time', async () => {
    const server = await serve(fast);
    const r = await runLoad({
      baseUrl: server.url,
      workload: { model: 'open', stages: [{ rate: 200, durationS: 2 }] },
      request: ({ seq }) => {
        // The generator blocks 300 ms once: the ~60 sends due meanwhile leave late.
        if (seq === 100) for (const until = performance.now() + 300; performance.now() < until;);
        return get();
      },
    });
    expectConsistent(r);
    expect(r.requests).toBe(400);
    expect(r.generator.maxLagMs).toBeGreaterThan(250);
    // Measured from the actual send these would be ~1 ms; from the schedule they are up to 300 ms.
    expect(r.latency.p95).toBeGreaterThan(100);
    expect(r.latency.max).toBeGreaterThan(250);
    expect(r.generator.saturated).toBe(true);
    expect(r.generator.reason).toMatch(/schedule lag/);
  });

  it('follows stepped stages', async () => {
    const server = await serve(fast);
    const r = await runLoad({
      baseUrl: server.url,
      workload: {
        model: 'open',
        stages: [
          { rate: 100, durationS: 2 },
          { rate: 300, durationS: 2 },
        ],
      },
      request: get,
    });
    expectConsistent(r);
    expect(r.timeline.map((s) => s.sent)).toEqual([100, 100, 300, 300]);
    expect(r.requests).toBe(800);
    const seen = server.arrivalsPerSecond;
    expect(seen[0]).toBeGreaterThan(85);
    expect(seen[0]).toBeLessThan(115);
    expect(seen[2]).toBeGreaterThan(255);
    expect(seen[2]).toBeLessThan(345);
  });

  it('schedules ramps and carries fractions across stages', () => {
    const perSecond = (stages: Parameters<typeof openSchedule>[0]) => {
      const s = openSchedule(stages);
      const counts = Array.from({ length: Math.ceil(s.durationMs / 1000) }, () => 0);
      for (let k = 0; k < s.total; k++) {
        const offset = s.offsetMs(k);
        if (k > 0) expect(offset).toBeGreaterThanOrEqual(s.offsetMs(k - 1));
        counts[Math.floor(offset / 1000)]!++;
      }
      return counts;
    };
    // 100 → 300 req/s over 2 s: 150 then 250.
    expect(perSecond([{ rate: 100, rampTo: 300, durationS: 2 }])).toEqual([150, 250]);
    // Ramp down, then an idle stage: it still lasts, with nothing to send.
    expect(
      perSecond([
        { rate: 300, rampTo: 100, durationS: 2 },
        { rate: 0, durationS: 1 },
      ]),
    ).toEqual([250, 150, 0]);
    // 0.5 req/s in two stages of 1 s is one request, not two.
    expect(
      openSchedule([
        { rate: 0.5, durationS: 1 },
        { rate: 0.5, durationS: 1 },
      ]).total,
    ).toBe(1);
    expect(openSchedule([{ rate: 200, durationS: 5 }]).total).toBe(1000);
  });
});

describe('closed model', () => {
  it('10 users thinking 50-100 ms for 3 s', async () => {
    const server = await serve(fast);
    const users = new Set<number | undefined>();
    const r = await runLoad({
      baseUrl: server.url,
      workload: { model: 'closed', users: 10, durationS: 3, thinkMs: [50, 100] },
      request: ({ user }) => {
        users.add(user);
        return get();
      },
    });
    expectConsistent(r);
    expect(users).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    // Each user cycles in think (75 ms on average) + latency.
    const expected = (10 * 3000) / (75 + r.latency.mean);
    expect(r.requests).toBeGreaterThan(0.75 * expected);
    expect(r.requests).toBeLessThan(1.1 * expected);
    expect(r.good).toBe(r.requests);
    expect(r.latency.p50).toBeLessThan(50);
    expect(r.timeline).toHaveLength(3);
    expect(r.generator.p99LagMs).toBe(0);
  });

  it('starts users evenly over rampUpS', async () => {
    const server = await serve(fast);
    const r = await runLoad({
      baseUrl: server.url,
      workload: { model: 'closed', users: 10, durationS: 2, thinkMs: [100, 100], rampUpS: 1 },
      request: get,
    });
    expectConsistent(r);
    // Second 0: users start at 0, 100, …, 900 ms (~55 sends); second 1: all ten (~100).
    const [first, second] = r.timeline.map((s) => s.sent) as [number, number];
    expect(first).toBeLessThan(0.75 * second);
    expect(second).toBeGreaterThan(70);
  });

  it('ends when every user has sent requestsPerUser, long before the duration', async () => {
    const server = await serve((_body, res) => {
      res.setHeader('x-data-stale', 'true');
      res.end('ok');
    });
    const perUser = new Map<number, number>();
    const stale: string[] = [];
    const r = await runLoad({
      baseUrl: server.url,
      workload: { model: 'closed', users: 5, durationS: 30, thinkMs: [0, 0], requestsPerUser: 7 },
      request: ({ user }) => {
        perUser.set(user!, (perUser.get(user!) ?? 0) + 1);
        return get();
      },
      isGood: (status, _body, _request, headers) => {
        stale.push(String(headers['x-data-stale']));
        return status === 200;
      },
    });
    expectConsistent(r);
    expect(r.requests).toBe(35);
    expect([...perUser.values()]).toEqual([7, 7, 7, 7, 7]);
    expect(r.durationS).toBeLessThan(5);
    expect(new Set(stale)).toEqual(new Set(['true']));
  });
});

describe('statuses and failures', () => {
  it('counts statuses, applies isGood, and turns timeouts and refusals into status 0', async () => {
    let n = 0;
    const every4th503 = await serve((_body, res) => {
      res.statusCode = ++n % 4 === 0 ? 503 : 200;
      res.end('x');
    });
    // Answers 200 to everything; only even `seq` bodies are good.
    const echo = await serve((body, res) => {
      const { seq } = JSON.parse(body) as { seq: number };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: seq % 2 === 0 }));
    });
    const silent = await serve(() => {}); // never answers
    const gone = await serve(fast);
    const goneUrl = gone.url;
    await servers.splice(servers.indexOf(gone), 1)[0]!.close(); // its port now refuses

    const judged: string[] = [];
    const started = performance.now();
    const [statuses, bodies, timeouts, refused] = await Promise.all([
      runLoad({
        baseUrl: every4th503.url,
        workload: { model: 'open', stages: [{ rate: 100, durationS: 2 }] },
        request: get,
      }),
      runLoad({
        baseUrl: echo.url,
        workload: { model: 'open', stages: [{ rate: 50, durationS: 1 }] },
        request: ({ seq }) => ({
          method: 'POST',
          path: '/echo',
          body: { seq },
          headers: { 'x-seq': String(seq) },
        }),
        isGood: (status, body, request) => {
          judged.push(request.headers?.['x-seq'] ?? '');
          return status === 200 && (JSON.parse(body) as { ok: boolean }).ok;
        },
      }),
      runLoad({
        baseUrl: silent.url,
        workload: { model: 'open', stages: [{ rate: 20, durationS: 1 }] },
        request: get,
        timeoutMs: 300,
      }),
      runLoad({
        baseUrl: goneUrl,
        workload: { model: 'open', stages: [{ rate: 20, durationS: 1 }] },
        request: get,
      }),
    ]);
    const elapsed = performance.now() - started;

    for (const r of [statuses, bodies, timeouts, refused]) expectConsistent(r);
    expect(statuses.byStatus).toEqual({ '200': 150, '503': 50 });
    expect(statuses.good).toBe(150);
    expect(statuses.requests).toBe(200);

    expect(bodies.byStatus).toEqual({ '200': 50 });
    // isGood is told which request each answer is for.
    expect(judged.map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(bodies.good).toBe(25);
    // The first body of a bad answer is kept for the report (bodies are read when isGood is given).
    expect(bodies.samples).toEqual({ '200': '{"ok":false}' });
    expect(statuses.samples).toBeUndefined();

    expect(timeouts.byStatus).toEqual({ '0': 20 });
    expect(timeouts.good).toBe(0);
    // A timeout is a latency of at least the deadline.
    expect(timeouts.latency.p50).toBeGreaterThanOrEqual(300);
    expect(timeouts.latency.max).toBeLessThan(1000);
    expect(timeouts.durationS).toBeLessThan(2.5);

    expect(refused.byStatus).toEqual({ '0': 20 });
    expect(refused.good).toBe(0);
    expect(refused.latency.max).toBe(0);
    expect(elapsed).toBeLessThan(5000);
  });

  it('times out requests queued behind busy sockets at their own deadline, each once', async () => {
    const silent = await serve(() => {}); // never answers
    const r = await runLoad({
      baseUrl: silent.url,
      workload: { model: 'open', stages: [{ rate: 50, durationS: 0.2 }] },
      request: get,
      connections: 2,
      timeoutMs: 300,
    });
    expectConsistent(r);
    // Two sockets for ten requests: eight waited in the pool, and still ended at 300 ms.
    expect(r.byStatus).toEqual({ '0': 10 });
    expect(r.latency.p50).toBeGreaterThanOrEqual(300);
    expect(r.latency.max).toBeLessThan(1000);
  });

  it('ends the run with the error when the scenario throws, and refuses bad workloads', async () => {
    const server = await serve(fast);
    const started = performance.now();
    await expect(
      runLoad({
        baseUrl: server.url,
        workload: { model: 'open', stages: [{ rate: 100, durationS: 5 }] },
        request: ({ seq }) => {
          if (seq === 10) throw new Error('factory bug');
          return get();
        },
      }),
    ).rejects.toThrow('factory bug');
    await expect(
      runLoad({
        baseUrl: server.url,
        workload: { model: 'closed', users: 2, durationS: 5, thinkMs: [10, 10] },
        request: get,
        isGood: () => {
          throw new Error('isGood bug');
        },
      }),
    ).rejects.toThrow('isGood bug');
    expect(performance.now() - started).toBeLessThan(2000);

    const bad = (workload: Parameters<typeof runLoad>[0]['workload']) =>
      runLoad({ baseUrl: server.url, workload, request: get });
    await expect(bad({ model: 'open', stages: [{ rate: -1, durationS: 1 }] })).rejects.toThrow(RangeError);
    await expect(bad({ model: 'closed', users: 0, durationS: 1, thinkMs: [0, 0] })).rejects.toThrow(
      RangeError,
    );
    await expect(bad({ model: 'closed', users: 1, durationS: 1, thinkMs: [5, 1] })).rejects.toThrow(
      RangeError,
    );
  });

  it('counts sends beyond maxInFlight as failures instead of skipping them', async () => {
    const slow = await serve((_body, res) => setTimeout(() => res.end('ok'), 500));
    const r = await runLoad({
      baseUrl: slow.url,
      // 200 req/s into a 500 ms server: ~100 in flight, but at most 20 allowed.
      workload: { model: 'open', stages: [{ rate: 200, durationS: 1 }], maxInFlight: 20 },
      request: get,
    });
    expectConsistent(r);
    expect(r.requests).toBe(200);
    expect(r.byStatus['200']).toBeGreaterThanOrEqual(20);
    expect(r.byStatus['200']).toBeLessThan(60);
    expect(r.byStatus['0']).toBe(200 - r.byStatus['200']!);
  });
});

describe('generator', () => {
  it('reports saturation when asked for more than it can send', async () => {
    const server = await serve(fast);
    const r = await runLoad({
      baseUrl: server.url,
      // Kept small so that the drain after the run is short.
      workload: { model: 'open', stages: [{ rate: 200_000, durationS: 2 }], maxInFlight: 1_000 },
      connections: 64,
      timeoutMs: 1_000,
      request: get,
    });
    expectConsistent(r);
    // Every scheduled send is accounted for: answered, failed, or refused as overload.
    expect(r.requests).toBe(400_000);
    expect(sum(r.timeline.map((s) => s.sent))).toBe(400_000);
    expect(r.generator.saturated).toBe(true);
    expect(r.generator.reason).toMatch(/lag|limit|event-loop/);
    expect(r.generator.maxLagMs).toBeGreaterThanOrEqual(r.generator.p99LagMs);
  });

  it('judges saturation by lag, busy seconds and event-loop delay', () => {
    const healthy = {
      model: 'open' as const,
      seconds: 5,
      busySeconds: 1, // one busy second in five is allowed
      maxLagMs: 120,
      p99LagMs: 12,
      cpuPercent: 30,
      loopP99Ms: 5,
    };
    expect(judge(healthy)).toEqual({ maxLagMs: 120, p99LagMs: 12, cpuPercent: 30, saturated: false });
    expect(judge({ ...healthy, p99LagMs: LAG_P99_LIMIT_MS + 1 }).reason).toMatch(/^p99 schedule lag 51 ms/);
    // A closed model has no schedule: its lag is not judged, its event loop is.
    expect(judge({ ...healthy, model: 'closed', p99LagMs: 500 }).saturated).toBe(false);
    expect(judge({ ...healthy, model: 'closed', loopP99Ms: 80 }).reason).toMatch(/event-loop delay 80 ms/);
    const busy = judge({ ...healthy, busySeconds: 2 });
    expect(busy.saturated).toBe(true);
    expect(busy.reason).toMatch(/at its limit .* in 2 of 5 s/);
  });

  it('stops early on abort', async () => {
    const server = await serve(fast);
    const seconds: number[] = [];
    const started = performance.now();
    const r = await runLoad({
      baseUrl: server.url,
      workload: { model: 'open', stages: [{ rate: 100, durationS: 10 }] },
      request: get,
      signal: AbortSignal.timeout(1500),
      onSecond: (s) => seconds.push(s.t),
    });
    expect(performance.now() - started).toBeLessThan(3000);
    expectConsistent(r);
    expect(r.durationS).toBeGreaterThan(1.4);
    expect(r.durationS).toBeLessThan(2.5);
    expect(r.requests).toBeGreaterThan(130);
    expect(r.requests).toBeLessThan(170);
    expect(seconds).toEqual([0, 1]);
    expect(r.timeline).toHaveLength(2);

    const closed = await runLoad({
      baseUrl: server.url,
      workload: { model: 'closed', users: 2, durationS: 10, thinkMs: [1000, 1000] },
      request: get,
      signal: AbortSignal.timeout(300),
    });
    // Thinking users wake up at once instead of finishing their think time.
    expect(closed.durationS).toBeLessThan(1);
    expect(closed.requests).toBe(2);
  });
});
