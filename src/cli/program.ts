import { Command, CommanderError, InvalidArgumentError } from 'commander';
import closeWithGrace from 'close-with-grace';
import path from 'node:path';
import { ConfigError, type Config } from '../platform/config.js';
import type { Logger } from '../platform/logger.js';
import type { ServiceModule } from '../platform/service.js';
import { findScenario, SCENARIOS } from '../scenarios/catalog/index.js';
import { runScenarios } from '../scenarios/run-all.js';
import type { Size } from '../scenarios/scenario.js';
import { scorecardMarkdown, writeScorecard } from '../scenarios/scorecard.js';
import { startEmbeddedPostgres } from '../platform/db/embedded.js';
import { summarizeLogs, type LogSummary } from '../platform/logs/summary.js';
import { startRuntime, type Runtime } from '../platform/runtime.js';
import { pickServices, setup, splitList, UsageError, VERSION } from './context.js';
import { addEvalCommand } from './eval.js';
import { addSeedCommand } from './seed.js';
import { addMediaCommand } from './media.js';
import { addSimulateCommand, SimulationFailure } from './simulate.js';

export interface Io {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The `crucible` command; `bin/crucible.js` runs it, tests call it with their own env and output. */
export function buildProgram(io: Io): Command {
  /** Every command builds the product the same way; only what it runs differs. */
  const start = (
    { config, log }: { config: Config; log: Logger },
    services: ServiceModule[],
    roles: { http: boolean; workers: boolean },
  ) => startRuntime({ config, log, services, version: VERSION, ...roles, env: io.env });

  const program = new Command('crucible')
    .description('Five backend systems in one product, each quality claim proven by a scenario.')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  const port = (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
      throw new InvalidArgumentError('must be a port from 0 to 65535');
    return String(n);
  };

  program
    .command('serve')
    .description('Run the HTTP API and the job workers (the default of npm start)')
    .option('--services <list>', 'comma-separated services to serve (default: all, or $SERVICES)', splitList)
    .option('--port <port>', 'HTTP port (default: $PORT or 8080)', port)
    .option('--no-workers', 'serve HTTP only; run workers elsewhere with `crucible worker`')
    .option('--demo', "load each service's demo data where it has none yet (npm start does)")
    .action(async (opts: { services?: string[]; port?: string; workers: boolean; demo?: boolean }) => {
      const { config, log } = setup(io.env, opts.port ? { PORT: opts.port } : {});
      const services = pickServices(opts.services ?? config.services);
      const runtime = await start({ config, log }, services, { http: true, workers: opts.workers });
      closeOnSignal(runtime, config, log, 'draining requests and jobs');
      const url = await runtime.listen();
      log.info({ url, services: services.map((s) => s.name), docs: `${url}/docs` }, 'serving');
      if (opts.demo) await loadDemoData(runtime, services, log);
    });

  program
    .command('worker')
    .description('Run only the job workers of some services (scale them apart from HTTP)')
    .option('--queues <list>', 'comma-separated services whose workers to run (default: all)', splitList)
    .action(async (opts: { queues?: string[] }) => {
      const { config, log } = setup(io.env);
      const services = pickServices(opts.queues).filter((s) => s.workers);
      if (services.length === 0) throw new UsageError('none of these services has workers');
      const runtime = await start({ config, log }, services, { http: false, workers: true });
      closeOnSignal(runtime, config, log, 'finishing jobs in flight');
      log.info({ services: services.map((s) => s.name) }, 'workers running');
    });

  program
    .command('db')
    .description('Run only the embedded PostgreSQL, for several serve and worker processes to share')
    .option(
      '--port <port>',
      'listen on this port, so a restart keeps the same URL (default: a free one)',
      port,
    )
    .action(async (opts: { port?: string }) => {
      const { config, log } = setup(io.env);
      if (config.db.url) throw new UsageError('DATABASE_URL is set: there is no embedded database to run');
      const embedded = await startEmbeddedPostgres(config.dataDir, log, {
        port: opts.port ? Number(opts.port) : undefined,
      });
      closeWithGrace({ delay: config.http.shutdownTimeoutMs, logger: log }, async ({ signal, err }) => {
        if (err) log.error({ err }, 'fatal error, shutting down');
        else log.info({ signal }, 'shutting down: stopping the database');
        await embedded.stop();
      });
      // The line a script reads: give it to every `crucible serve` and `crucible worker`.
      io.out(`DATABASE_URL=${embedded.url}`);
    });

  program
    .command('migrate')
    .description('Apply pending database migrations of every service (serve also does it at start)')
    .option('--services <list>', 'comma-separated services (default: all)', splitList)
    .action(async (opts: { services?: string[] }) => {
      const { config, log } = setup(io.env);
      const services = pickServices(opts.services);
      const runtime = await start({ config, log }, services, { http: false, workers: false });
      await runtime.close();
      io.out(`migrated: ${services.map((s) => s.name).join(', ')}`);
    });

  addSeedCommand(program, io, start);

  const logs = program.command('logs').description('Request log files (routes that keep one)');
  logs
    .command('summary')
    .description('Count successes and failures per day in the daily request log files')
    .option('--from <date>', 'first day, YYYY-MM-DD (default: the first file)', dayOption)
    .option('--to <date>', 'last day, YYYY-MM-DD (default: the last file)', dayOption)
    .option('--dir <dir>', 'the log directory (default: $LOG_DIR or logs)')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { from?: string; to?: string; dir?: string; json?: boolean }) => {
      const { config } = setup(io.env);
      if (opts.from && opts.to && opts.from > opts.to)
        throw new UsageError(`--from ${opts.from} is after --to ${opts.to}`);
      const dir = opts.dir ? path.resolve(opts.dir) : config.logDir;
      let summary: LogSummary;
      try {
        summary = await summarizeLogs(dir, opts.from, opts.to);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      for (const m of summary.malformedLines) io.err(`${m.file}:${m.line}: malformed line (${m.reason})`);
      if (opts.json) return io.out(JSON.stringify(summary, null, 2));
      for (const line of summaryTable(summary)) io.out(line);
    });

  const scenario = program
    .command('scenario')
    .description('Quality scenarios: run one, or all, and get a report');
  scenario
    .command('list')
    .description('List the scenarios')
    .action(() => {
      for (const s of SCENARIOS) {
        const missing = s.unavailable?.();
        io.out(
          `${s.name.padEnd(30)} ${s.title}${missing ? `\n${''.padEnd(31)}(skipped here: ${missing})` : ''}`,
        );
      }
    });
  scenario
    .command('run')
    .description('Start the product (or use --target), run scenarios, judge them and write reports')
    .argument('[names...]', 'scenario names (see `crucible scenario list`)')
    .option('--all', 'run every scenario and write reports/scorecard.md')
    .option('--size <size>', 'smoke (seconds) or full (the seed-sized run)', sizeOption, 'full' as Size)
    .option('--target <url>', 'drive a server already running at this URL instead of starting one')
    .option('--reports <dir>', 'where reports go', 'reports')
    .action(
      async (names: string[], opts: { all?: boolean; size: Size; target?: string; reports: string }) => {
        const chosen = opts.all ? SCENARIOS : names.map((n) => findScenario(n) ?? unknownScenario(n));
        if (chosen.length === 0)
          throw new UsageError('name a scenario (see `crucible scenario list`) or use --all');
        if (opts.target) checkUrl(opts.target);
        const runs = await runScenarios(chosen, {
          size: opts.size,
          targetUrl: opts.target,
          reportsDir: path.resolve(opts.reports),
          out: (text) => process.stdout.write(text),
          tty: process.stdout.isTTY,
        });
        if (opts.all)
          io.out(`scorecard: ${await writeScorecard(path.resolve(opts.reports), scorecardMarkdown(runs))}`);
        const failed = runs.filter((r) => !r.skipped && r.completed?.summary.outcome !== 'pass');
        if (failed.length) throw new ScenarioFailure(failed.map((r) => r.scenario.name));
      },
    );

  addSimulateCommand(program, io);
  addEvalCommand(program, io);
  addMediaCommand(program, io);

  return program;
}

/** SIGTERM/SIGINT (or a fatal error) closes the runtime gracefully, then the process exits. */
function closeOnSignal(runtime: Runtime, config: Config, log: Logger, what: string) {
  closeWithGrace({ delay: config.http.shutdownTimeoutMs, logger: log }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'fatal error, shutting down');
    else log.info({ signal }, `shutting down: ${what}`);
    await runtime.close();
  });
}

/** Some scenario did not pass: exit 1, its reason already printed. */
class ScenarioFailure extends Error {
  constructor(readonly names: string[]) {
    super(`not passed: ${names.join(', ')}`);
  }
}

function dayOption(value: string): string {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : undefined;
  if (!day || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value)
    throw new InvalidArgumentError('must be a date like 2026-11-24');
  return value;
}

function summaryTable(summary: LogSummary): string[] {
  const n = (value: number) => value.toLocaleString('en-US').padStart(10);
  const row = (label: string, c: { successes: number; failures: number; malformed: number }) =>
    `${label.padEnd(12)}${n(c.successes)}${n(c.failures)}${n(c.malformed)}`;
  if (summary.days.length === 0) return ['no log file in that range'];
  return [
    `${'day'.padEnd(12)}${'successes'.padStart(10)}${'failures'.padStart(10)}${'malformed'.padStart(10)}`,
    ...summary.days.map((d) => row(d.day, d)),
    row('total', summary.total),
  ];
}

function sizeOption(value: string): Size {
  if (value !== 'smoke' && value !== 'full') throw new InvalidArgumentError('must be smoke or full');
  return value;
}

function unknownScenario(name: string): never {
  throw new UsageError(`unknown scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
}

function checkUrl(value: string) {
  try {
    new URL(value);
  } catch {
    throw new UsageError(`--target must be a URL like http://localhost:8080, got "${value}"`);
  }
}

/** Runs the command line; returns the exit code instead of exiting, for tests. */
export async function main(argv: string[], io: Io): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof ScenarioFailure || err instanceof SimulationFailure) {
      io.err(`crucible: ${err.message}`);
      return 1;
    }
    if (err instanceof UsageError || err instanceof ConfigError) {
      io.err(`crucible: ${err.message}`);
      return 2;
    }
    io.err(`crucible: failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

/**
 * After listening, so the server answers while a service makes its demo (encoding clips takes
 * seconds); a service whose demo fails is logged and the others still load theirs.
 */
async function loadDemoData(runtime: Runtime, services: ServiceModule[], log: Logger) {
  for (const service of services) {
    if (!service.demo) continue;
    const slog = log.child({ service: service.name });
    try {
      const loaded = await service.demo({ ...runtime.ctx, log: slog });
      if (loaded) slog.info(`demo data: ${loaded}`);
    } catch (err) {
      slog.error({ err }, 'demo data could not be loaded');
    }
  }
}
