import { Command, CommanderError, InvalidArgumentError } from 'commander';
import closeWithGrace from 'close-with-grace';
import { ConfigError } from '../platform/config.js';
import { startRuntime } from '../platform/runtime.js';
import { pickServices, setup, splitList, UsageError, VERSION } from './context.js';

export interface Io {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The `crucible` command; `bin/crucible.js` runs it, tests call it with their own env and output. */
export function buildProgram(io: Io): Command {
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
    .action(async (opts: { services?: string[]; port?: string; workers: boolean }) => {
      const { config, log } = setup(io.env, opts.port ? { PORT: opts.port } : {});
      const services = pickServices(opts.services ?? config.services);
      const runtime = await startRuntime({
        config,
        log,
        services,
        version: VERSION,
        http: true,
        workers: opts.workers,
        env: io.env,
      });
      closeWithGrace({ delay: config.http.shutdownTimeoutMs, logger: log }, async ({ signal, err }) => {
        if (err) log.error({ err }, 'fatal error, shutting down');
        else log.info({ signal }, 'shutting down: draining requests and jobs');
        await runtime.close();
      });
      const url = await runtime.listen();
      log.info({ url, services: services.map((s) => s.name), docs: `${url}/docs` }, 'serving');
    });

  program
    .command('worker')
    .description('Run only the job workers of some services (scale them apart from HTTP)')
    .option('--queues <list>', 'comma-separated services whose workers to run (default: all)', splitList)
    .action(async (opts: { queues?: string[] }) => {
      const { config, log } = setup(io.env);
      const services = pickServices(opts.queues).filter((s) => s.workers);
      if (services.length === 0) throw new UsageError('none of these services has workers');
      const runtime = await startRuntime({
        config,
        log,
        services,
        version: VERSION,
        http: false,
        workers: true,
        env: io.env,
      });
      closeWithGrace({ delay: config.http.shutdownTimeoutMs, logger: log }, async ({ signal, err }) => {
        if (err) log.error({ err }, 'fatal error, shutting down');
        else log.info({ signal }, 'shutting down: finishing jobs in flight');
        await runtime.close();
      });
      log.info({ services: services.map((s) => s.name) }, 'workers running');
    });

  program
    .command('migrate')
    .description('Apply pending database migrations of every service (serve also does it at start)')
    .option('--services <list>', 'comma-separated services (default: all)', splitList)
    .action(async (opts: { services?: string[] }) => {
      const { config, log } = setup(io.env);
      const services = pickServices(opts.services);
      const runtime = await startRuntime({
        config,
        log,
        services,
        version: VERSION,
        http: false,
        workers: false,
        env: io.env,
      });
      await runtime.close();
      io.out(`migrated: ${services.map((s) => s.name).join(', ')}`);
    });

  program
    .command('seed')
    .description("Load a service's demo data (shop: the original's disc of 500 copies and its customer)")
    .argument('<service>', 'service name')
    .action(async (name: string) => {
      const { config, log } = setup(io.env);
      const [service] = pickServices([name]);
      if (!service!.seed) throw new UsageError(`service "${name}" has no demo data`);
      const runtime = await startRuntime({
        config,
        log,
        services: [service!],
        version: VERSION,
        http: false,
        workers: false,
        env: io.env,
      });
      try {
        io.out(await service!.seed(runtime.ctx));
      } finally {
        await runtime.close();
      }
    });
  return program;
}

/** Runs the command line; returns the exit code instead of exiting, for tests. */
export async function main(argv: string[], io: Io): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof UsageError || err instanceof ConfigError) {
      io.err(`crucible: ${err.message}`);
      return 2;
    }
    io.err(`crucible: failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
