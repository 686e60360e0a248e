/**
 * `npm run bench:shop`: orders per second and latency of POST /purchase-orders on one hot disc,
 * under each concurrency mode, with the stock ledger checked after each mode.
 */
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { Concurrency } from '../src/services/shop/config.js';
import { createCustomer, createHotDisc, stockOf } from './api.js';
import { parseOptions, USAGE, UsageError, type BenchOptions } from './args.js';
import { runLoad } from './load.js';
import {
  describeMachine,
  drainTable,
  machineLines,
  progressLine,
  rate,
  resultsTable,
  type Drain,
  type ModeResult,
  type Step,
} from './report.js';
import { startServer, type Server } from './server.js';

/** Generous: the worker's drain rate is one of the things measured, not assumed. */
const DRAIN_TIMEOUT_MS = 300_000;
const DRAIN_POLL_MS = 100;
const DRAIN_REPORT_EVERY_MS = 10_000;
const SERVER_LINES_SHOWN = 15;

let running: Server | undefined;

const say = (line: string) => console.log(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

/** The one hot disc every order of a mode buys, on that mode's server. */
interface Target {
  url: string;
  discId: string;
  /** The order, serialized once: every request sends the same bytes. */
  body: string;
}

async function drainBacklog(t: Target, soldBefore: number, loadS: number): Promise<Drain> {
  const start = performance.now();
  let lastReport = start;
  for (;;) {
    const stock = await stockOf(t.url, t.discId);
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

async function runStep(mode: Concurrency, t: Target, clients: number, o: BenchOptions): Promise<Step> {
  const soldBefore = mode === 'queued' ? (await stockOf(t.url, t.discId)).sold : 0;
  const load = await runLoad({
    url: t.url,
    clients,
    body: t.body,
    warmupMs: o.warmupS * 1000,
    durationMs: o.durationS * 1000,
  });
  const step: Step = load;
  if (mode === 'queued') step.drain = await drainBacklog(t, soldBefore, load.elapsedS);
  say(progressLine(mode, step));
  for (const failure of load.failures) say(`            sample failure: ${failure}`);
  return step;
}

/** The invariant the shop exists for: every sale recorded, nothing sold that was not answered. */
async function checkLedger(result: ModeResult, t: Target, server: Server): Promise<void> {
  const exit = server.exited();
  if (exit) {
    result.failures.push(`the server stopped during the run (${exit})`);
    return;
  }
  const stock = await stockOf(t.url, t.discId);
  result.stock = stock;
  if (!stock.consistent) result.failures.push(`ledger inconsistent: ${JSON.stringify(stock)}`);
  if (stock.pending !== 0) result.failures.push(`${stock.pending} orders still pending`);
  if (stock.sold !== result.accepted) {
    result.failures.push(`sold ${stock.sold} but ${result.accepted} orders were answered as successful`);
  }
}

function reportLedger(result: ModeResult, server: Server): void {
  const s = result.stock;
  const summary = s
    ? `initial ${s.initial}, sold ${s.sold}, remaining ${s.remaining}, pending ${s.pending}, consistent ${s.consistent}`
    : 'no ledger read';
  if (result.failures.length === 0) say(`${result.mode.padEnd(11)} ledger OK: ${summary}`);
  else for (const f of result.failures) say(`FAIL ${result.mode}: ${f} (${summary})`);
  const troubled =
    result.failures.length > 0 || result.steps.some((st) => st.all.server5xx + st.all.errors > 0);
  const lines = server.output();
  if (troubled && lines.length > 0) {
    say(`${result.mode.padEnd(11)} last lines the server wrote:`);
    for (const line of lines.slice(-SERVER_LINES_SHOWN)) say(`            ${line}`);
  }
}

async function benchMode(mode: Concurrency, o: BenchOptions): Promise<ModeResult> {
  say(`${mode.padEnd(11)} starting the server (SHOP_CONCURRENCY=${mode}, fresh DATA_DIR)…`);
  const started = performance.now();
  const server = await startServer(mode);
  running = server;
  const result: ModeResult = { mode, steps: [], accepted: 0, failures: [] };
  try {
    const discId = await createHotDisc(server.url);
    const customerId = await createCustomer(server.url);
    say(
      `${mode.padEnd(11)} ready at ${server.url} in ${rate((performance.now() - started) / 1000)} s; disc ${discId}`,
    );
    const body = JSON.stringify({ disc_id: discId, customer_id: customerId, quantity: 1 });
    const target: Target = { url: server.url, discId, body };
    for (const clients of o.clients) {
      const step = await runStep(mode, target, clients, o);
      result.steps.push(step);
      result.accepted += step.all.ok;
      // Later steps would only measure a refused connection or a backlog still draining.
      if (step.drain?.timedOut || server.exited()) break;
    }
    await checkLedger(result, target, server);
    reportLedger(result, server);
    return result;
  } finally {
    await server.stop();
    running = undefined;
  }
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
  const machine = describeMachine();
  for (const line of machineLines(machine)) say(line);
  say(
    `plan:    modes ${options.modes.join(', ')}; clients ${options.clients.join(', ')}; ` +
      `${options.warmupS} s warm-up + ${options.durationS} s measured per step`,
  );
  const results: ModeResult[] = [];
  for (const mode of options.modes) results.push(await benchMode(mode, options));
  say('');
  for (const line of [...machineLines(machine), '', ...resultsTable(results)]) say(line);
  const drains = drainTable(results);
  if (drains.length > 0) for (const line of ['', ...drains]) say(line);
  if (options.json) {
    await writeFile(options.json, JSON.stringify({ machine, options, results }, null, 2) + '\n');
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
