/**
 * `npm run bench:shop`: orders per second and latency of POST /purchase-orders on one hot disc,
 * under each concurrency mode, against the same server's GET /health rate (the yardstick: what
 * this machine gives the most trivial request through the same generator), with the stock ledger
 * checked after each mode. Built on the scenario harness: its server start (target.ts), load
 * engine (load/engine.ts, closed model, with its check of the generator), shop data and
 * environment.
 */
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import {
  createHotDisc,
  purchase,
  stockOf,
  type Api,
  type Stock,
} from '../src/scenarios/catalog/shop-data.js';
import { checkCpu } from '../src/scenarios/cpu-check.js';
import { describeEnvironment, environmentLines } from '../src/scenarios/environment.js';
import { helperClient } from '../src/scenarios/helper-client.js';
import { runLoad } from '../src/scenarios/load/engine.js';
import type { Environment, LatencySummary, LoadResult, RequestFactory } from '../src/scenarios/model.js';
import { startTarget, type Target } from '../src/scenarios/target.js';
import type { Concurrency } from '../src/services/shop/index.js';
import { parseOptions, USAGE, UsageError, type BenchOptions } from './args.js';

/** Enough copies that no step sells out: a 409 in the results then means a real refusal. */
const HOT_STOCK = 10_000_000;
/** Clients of the GET /health yardstick: enough to keep both cores busy. */
const YARDSTICK_CLIENTS = 64;
/** Answers may be slow under contention (optimistic's p99 is seconds); a timeout is a failure. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Generous: the worker's drain rate is one of the things measured, not assumed. */
const DRAIN_TIMEOUT_MS = 300_000;
const DRAIN_POLL_MS = 100;
const DRAIN_REPORT_EVERY_MS = 10_000;
/** Reads are asked again through load shedding: a 503 means "ask again", not a failure. */
const SHED_RETRIES = 30;
const SERVER_LINES_SHOWN = 15;

interface Drain {
  /** From the end of the load to the first ledger read with nothing pending. */
  seconds: number;
  timedOut: boolean;
  /** Orders confirmed by the worker during the step. */
  confirmed: number;
  /** Confirmed orders over the whole step: load (warm-up included) plus drain. */
  confirmedPerS: number;
}

/** One closed-loop load, measured over whole seconds of its timeline. */
interface Measured {
  clients: number;
  /** Good answers (2xx) per second, of those that arrived in the measured seconds. */
  perS: number;
  /** Milliseconds, of every answer of the measured run (its tail in flight included). */
  latency: LatencySummary;
  byStatus: Record<string, number>;
  /** Good answers of the warm-up and of the measured run, tail included: what the ledger saw. */
  good: number;
  /** Wall time of warm-up and load, in seconds. */
  loadS: number;
  generator: LoadResult['generator'];
}

interface Step extends Measured {
  /** perS ÷ the mode's GET /health rate. */
  ratio?: number;
  drain?: Drain;
}

interface ModeResult {
  mode: Concurrency;
  /** GET /health at YARDSTICK_CLIENTS on the same server, after the steps. */
  yardstick?: Measured;
  steps: Step[];
  stock?: Stock;
  /** Successful answers over every step, warm-ups included: what `sold` must equal. */
  accepted: number;
  /** Why the mode failed its checks; empty when it passed. */
  failures: string[];
}

let running: Target | undefined;

const say = (line: string) => console.log(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rate = (n: number) => n.toFixed(1);
const millis = (n: number) => n.toFixed(2);

/** Ctrl-C or a kill must still stop the server and its database, and remove its temp dir. */
function stopServerOnSignals(): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // A Ctrl-C reaches us twice (from the terminal and relayed by tsx); the default action of
    // the second would kill us before the temp dir is removed.
    if (stopping) return;
    stopping = true;
    say(`\n${signal}: stopping the server…`);
    void (running?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** The harness's helper client, asking a shed read again. */
function benchApi(target: Target): Api & { close(): Promise<void> } {
  const client = helperClient(target);
  return {
    async http(method, path, body, headers) {
      for (let attempt = 1; ; attempt++) {
        const answer = await client.http(method, path, body, headers);
        if (answer.status !== 503 || method !== 'GET' || attempt >= SHED_RETRIES) return answer;
        await sleep(1000);
      }
    },
    close: client.close,
  };
}

const statusCount = (byStatus: Record<string, number>, test: (s: number) => boolean) =>
  Object.entries(byStatus).reduce((n, [s, c]) => n + (test(Number(s)) ? c : 0), 0);

/**
 * `clients` closed loops for the warm-up (discarded, but its sales counted for the ledger), then
 * for `durationS` + 1 s. The rate counts the answers of the first `durationS` whole seconds: the
 * last second also holds the answers still in flight when the load ended, which no second earned.
 */
async function measure(
  url: string,
  clients: number,
  request: RequestFactory,
  o: BenchOptions,
): Promise<Measured> {
  const load = (durationS: number) =>
    runLoad({
      baseUrl: url,
      workload: { model: 'closed', users: clients, durationS, thinkMs: [0, 0] },
      request,
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
  const started = performance.now();
  const warm = o.warmupS > 0 ? await load(o.warmupS) : undefined;
  const run = await load(o.durationS + 1);
  const window = run.timeline.filter((s) => s.t < o.durationS);
  return {
    clients,
    perS: window.reduce((n, s) => n + s.good, 0) / o.durationS,
    latency: run.latency,
    byStatus: run.byStatus,
    good: (warm?.good ?? 0) + run.good,
    loadS: (performance.now() - started) / 1000,
    generator: run.generator,
  };
}

async function drainBacklog(api: Api, discId: string, soldBefore: number, loadS: number): Promise<Drain> {
  const start = performance.now();
  let lastReport = start;
  for (;;) {
    const stock = await stockOf(api, discId);
    const seconds = (performance.now() - start) / 1000;
    const confirmed = stock.sold - soldBefore;
    const done = stock.pending === 0;
    if (done || seconds * 1000 >= DRAIN_TIMEOUT_MS) {
      return { seconds, timedOut: !done, confirmed, confirmedPerS: confirmed / (loadS + seconds) };
    }
    if (performance.now() - lastReport >= DRAIN_REPORT_EVERY_MS) {
      lastReport = performance.now();
      say(`queued      … draining: ${stock.pending} pending after ${rate(seconds)} s`);
    }
    await sleep(DRAIN_POLL_MS);
  }
}

function counts(byStatus: Record<string, number>) {
  return {
    ok: statusCount(byStatus, (s) => s >= 200 && s < 300),
    conflict: statusCount(byStatus, (s) => s === 409),
    other4xx: statusCount(byStatus, (s) => s >= 400 && s < 500 && s !== 409),
    server5xx: statusCount(byStatus, (s) => s >= 500),
    errors: statusCount(byStatus, (s) => s === 0),
  };
}

const generatorNote = (g: LoadResult['generator']) =>
  g.saturated ? `  GENERATOR SATURATED (${g.reason}): the figure is the generator's bound` : '';

function progressLine(mode: string, s: Step): string {
  const c = counts(s.byStatus);
  const parts = [
    `${mode.padEnd(11)} c=${String(s.clients).padEnd(4)}`,
    `${rate(s.perS)} orders/s`,
    `p50 ${millis(s.latency.p50)} ms, p95 ${millis(s.latency.p95)} ms, p99 ${millis(s.latency.p99)} ms`,
    `ok ${c.ok}, 409 ${c.conflict}, other 4xx ${c.other4xx}, 5xx ${c.server5xx}, errors ${c.errors}`,
  ];
  if (s.drain) {
    const d = s.drain;
    parts.push(
      d.timedOut
        ? `backlog NOT drained after ${rate(d.seconds)} s`
        : `backlog drained in ${rate(d.seconds)} s, ${rate(d.confirmedPerS)} confirmed/s end-to-end`,
    );
  }
  return parts.join('  ') + generatorNote(s.generator);
}

/** The invariant the shop exists for: every sale recorded, nothing sold that was not answered. */
async function checkLedger(result: ModeResult, api: Api, discId: string): Promise<void> {
  let stock: Stock;
  try {
    stock = await stockOf(api, discId);
  } catch (err) {
    result.failures.push(`the ledger could not be read: ${(err as Error).message}`);
    return;
  }
  result.stock = stock;
  if (!stock.consistent) result.failures.push(`ledger inconsistent: ${JSON.stringify(stock)}`);
  if (stock.pending !== 0) result.failures.push(`${stock.pending} orders still pending`);
  if (stock.sold !== result.accepted) {
    result.failures.push(`sold ${stock.sold} but ${result.accepted} orders were answered as successful`);
  }
}

function reportLedger(result: ModeResult, target: Target): void {
  const s = result.stock;
  const summary = s
    ? `initial ${s.initial}, sold ${s.sold}, remaining ${s.remaining}, pending ${s.pending}, consistent ${s.consistent}`
    : 'no ledger read';
  if (result.failures.length === 0) say(`${result.mode.padEnd(11)} ledger OK: ${summary}`);
  else for (const f of result.failures) say(`FAIL ${result.mode}: ${f} (${summary})`);
  const troubled =
    result.failures.length > 0 ||
    result.steps.some((st) => counts(st.byStatus).server5xx + counts(st.byStatus).errors > 0);
  const lines = target.output().split('\n').filter(Boolean);
  if (troubled && lines.length > 0) {
    say(`${result.mode.padEnd(11)} last lines the server wrote:`);
    for (const line of lines.slice(-SERVER_LINES_SHOWN)) say(`            ${line}`);
  }
}

async function benchMode(
  mode: Concurrency,
  o: BenchOptions,
  first: boolean,
): Promise<{ result: ModeResult; environment?: Environment }> {
  say(`${mode.padEnd(11)} starting the server (SHOP_CONCURRENCY=${mode}, fresh embedded database)…`);
  const started = performance.now();
  const target = await startTarget({
    env: {
      SHOP_CONCURRENCY: mode,
      ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    },
  });
  running = target;
  const api = benchApi(target);
  const result: ModeResult = { mode, steps: [], accepted: 0, failures: [] };
  try {
    const environment = first ? await describeEnvironment(target, await checkCpu()) : undefined;
    if (environment) for (const line of environmentLines(environment)) say(line);
    const hot = await createHotDisc(api, HOT_STOCK, 'benchmark');
    say(
      `${mode.padEnd(11)} ready at ${target.url} in ${rate((performance.now() - started) / 1000)} s; disc ${hot.discId}`,
    );
    const order = purchase(hot);
    for (const clients of o.clients) {
      const soldBefore = mode === 'queued' ? (await stockOf(api, hot.discId)).sold : 0;
      const step: Step = await measure(target.url, clients, order, o);
      if (mode === 'queued') step.drain = await drainBacklog(api, hot.discId, soldBefore, step.loadS);
      result.steps.push(step);
      result.accepted += step.good;
      say(progressLine(mode, step));
      // Later steps would only measure a backlog still draining.
      if (step.drain?.timedOut) break;
    }
    const health = await measure(
      target.url,
      YARDSTICK_CLIENTS,
      () => ({ method: 'GET', path: '/health' }),
      o,
    );
    result.yardstick = health;
    for (const step of result.steps) step.ratio = step.perS / health.perS;
    say(
      `${mode.padEnd(11)} yardstick: GET /health, c=${YARDSTICK_CLIENTS}, ${rate(health.perS)} requests/s, p99 ${millis(health.latency.p99)} ms${generatorNote(health.generator)}`,
    );
    await checkLedger(result, api, hot.discId);
    reportLedger(result, target);
    return { result, environment };
  } finally {
    await api.close();
    await target.stop();
    running = undefined;
  }
}

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

function resultsTable(results: ModeResult[]): string[] {
  const lines = [
    row([
      'mode',
      'clients',
      'orders/s',
      '÷ GET /health',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      '409',
      '5xx',
      'errors',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
  ];
  for (const r of results) {
    for (const s of r.steps) {
      const l = s.latency;
      const c = counts(s.byStatus);
      const flag = s.generator.saturated ? ' (generator saturated)' : '';
      lines.push(
        row([
          r.mode,
          s.clients,
          rate(s.perS) + flag,
          s.ratio === undefined ? '—' : s.ratio.toFixed(3),
          millis(l.p50),
          millis(l.p95),
          millis(l.p99),
          c.conflict,
          c.server5xx,
          c.errors,
        ]),
      );
    }
  }
  return lines;
}

function yardstickTable(results: ModeResult[]): string[] {
  const lines = [
    row(['server of mode', `GET /health req/s (c=${YARDSTICK_CLIENTS})`, 'p99 ms', 'generator']),
    row(['---', '---:', '---:', '---']),
  ];
  for (const r of results) {
    const y = r.yardstick;
    if (!y) continue;
    lines.push(
      row([r.mode, rate(y.perS), millis(y.latency.p99), y.generator.saturated ? 'saturated' : 'ok']),
    );
  }
  return lines;
}

/** Queued answers 202 before deciding; what it really sells per second shows only here. */
function drainTable(results: ModeResult[]): string[] {
  const steps = results.flatMap((r) => r.steps.filter((s) => s.drain).map((s) => ({ mode: r.mode, s })));
  if (steps.length === 0) return [];
  const lines = [
    row(['mode', 'clients', 'accepted/s (202)', 'drain s', 'confirmed in step', 'confirmed/s end-to-end']),
    row(['---', '---:', '---:', '---:', '---:', '---:']),
  ];
  for (const { mode, s } of steps) {
    const d = s.drain!;
    const drained = d.timedOut ? `> ${rate(d.seconds)} (timed out)` : rate(d.seconds);
    lines.push(row([mode, s.clients, rate(s.perS), drained, d.confirmed, rate(d.confirmedPerS)]));
  }
  return lines;
}

async function main(): Promise<number> {
  let options: BenchOptions | undefined;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`bench:shop: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (!options) {
    say(USAGE);
    return 0;
  }
  stopServerOnSignals();
  say(
    `plan:      modes ${options.modes.join(', ')}; clients ${options.clients.join(', ')}; ` +
      `${options.warmupS} s warm-up + ${options.durationS} s measured per step; ` +
      `then GET /health at ${YARDSTICK_CLIENTS} clients on the same server`,
  );
  const results: ModeResult[] = [];
  let environment: Environment | undefined;
  for (const mode of options.modes) {
    const run = await benchMode(mode, options, environment === undefined);
    environment ??= run.environment;
    results.push(run.result);
  }
  say(`\n${new Date().toISOString().slice(0, 10)}`);
  for (const line of [...(environment ? environmentLines(environment) : []), '', ...resultsTable(results)])
    say(line);
  for (const line of ['', ...yardstickTable(results)]) say(line);
  const drains = drainTable(results);
  if (drains.length > 0) for (const line of ['', ...drains]) say(line);
  if (options.json) {
    await writeFile(options.json, JSON.stringify({ environment, options, results }, null, 2) + '\n');
    say(`\nresults written to ${options.json}`);
  }
  const failed = results.filter((r) => r.failures.length > 0);
  if (failed.length > 0) say(`\nFAIL: ledger check failed for ${failed.map((r) => r.mode).join(', ')}`);
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    console.error('bench:shop failed:', err instanceof Error ? err.message : err);
    await running?.stop();
    process.exit(1);
  },
);
