import { InvalidArgumentError, Option, type Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { describeResult, describeSecond, simulate } from '../scenarios/criticality/simulation.js';
import { startTarget, type Target } from '../scenarios/target.js';
import type { Io } from './program.js';

/** The simulation judged its run and it did not pass: exit 1, the verdict already printed. */
export class SimulationFailure extends Error {}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function duration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(value.trim());
  const ms = m ? Number(m[1]) * UNITS[m[2] ?? 's']! : NaN;
  if (!(ms >= 1))
    throw new InvalidArgumentError('must be a duration like 500ms, 30s or 5m (a bare number is seconds)');
  return Math.round(ms);
}

const count = (max: number) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max)
    throw new InvalidArgumentError(`must be an integer from 1 to ${max}`);
  return n;
};

function urls(value: string): string[] {
  return value.split(',').map((raw) => {
    try {
      return new URL(raw.trim()).origin;
    } catch {
      throw new InvalidArgumentError(`must be URLs like http://localhost:8080, got "${raw}"`);
    }
  });
}

interface Options {
  producers: number;
  consumers: number;
  duration: number;
  interval: number;
  postInterval?: number;
  target?: string[];
}

export function addSimulateCommand(program: Command, io: Io): void {
  program
    .command('simulate')
    .description('Drive a service with simulated clients, as its original clients did')
    .command('criticality')
    .description(
      "The original Secapp's producer and consumer apps as one command: producers POST /secapp/update " +
        '(a level 1-5, Change_at now), consumers poll GET /secapp/update, all with the shared token ' +
        '($SECAPP_API_TOKEN, default dev-secapp-token). Prints a line a second, then whether every consumer ' +
        'was given every state it should have been, once (exit 1 if not). Without --target it starts the ' +
        'product itself (criticality only, on a fresh embedded database) and stops it at the end. With ' +
        '--target, nobody else should post there during the run: the check assumes only these producers do.',
    )
    .option('--producers <n>', 'producer apps', count(1000), 1)
    .option('--consumers <n>', 'consumer apps', count(10_000), 5)
    .addOption(
      new Option('--duration <duration>', 'how long to run: 30s, 5m')
        .argParser(duration)
        .default(10_000, '10s'),
    )
    .addOption(
      new Option(
        '--interval <duration>',
        "mean pause between one consumer's polls, jittered ±50 % (the originals waited 3-7 min)",
      )
        .argParser(duration)
        .default(1000, '1s'),
    )
    .option(
      '--post-interval <duration>',
      "mean pause between one producer's posts (default: --interval)",
      duration,
    )
    .option(
      '--target <urls>',
      'a running server (several comma-separated instances: each app spreads its calls over them)',
      urls,
    )
    .action(async (opts: Options) => {
      const token = io.env.SECAPP_API_TOKEN || 'dev-secapp-token';
      let started: Target | undefined;
      if (!opts.target) {
        io.out('starting the product (criticality, fresh embedded database)…');
        started = await startTarget({ env: { SERVICES: 'criticality', SECAPP_API_TOKEN: token } });
      }
      const targets = opts.target ?? [started!.url];
      try {
        io.out(
          `${opts.producers} producers, ${opts.consumers} consumers for ${opts.duration / 1000} s against ${targets.join(', ')}`,
        );
        const result = await simulate({
          urls: targets,
          producers: opts.producers,
          consumers: opts.consumers,
          durationMs: opts.duration,
          pollIntervalMs: opts.interval,
          postIntervalMs: opts.postInterval ?? opts.interval,
          token,
          runId: `sim-${randomBytes(3).toString('hex')}`,
          onSecond: (s) => io.out(describeSecond(s)),
        });
        for (const line of describeResult(result, opts.consumers)) io.out(line);
        if (!result.verdict.pass)
          throw new SimulationFailure('the simulation did not see every state delivered once');
      } finally {
        await started?.stop();
      }
    });
}
