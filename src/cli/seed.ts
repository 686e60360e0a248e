import type { Command } from 'commander';
import type { Config } from '../platform/config.js';
import type { Logger } from '../platform/logger.js';
import type { Runtime } from '../platform/runtime.js';
import type { ServiceModule } from '../platform/service.js';
import { replaceCatalogue } from '../services/movies/seed.js';
import { buildIfChanged } from '../services/movies/suggest/refresh.js';
import { pickServices, setup, UsageError } from './context.js';
import { catalogueFlags } from './options.js';
import type { Io } from './program.js';

type Start = (
  setup: { config: Config; log: Logger },
  services: ServiceModule[],
  roles: { http: boolean; workers: boolean },
) => Promise<Runtime>;

interface SizeFlags {
  movies?: number;
  users?: number;
  ratings?: number;
  seed?: number;
}

/** The sizes of a generated movies catalogue when only some flags are given. */
export const SEED_DEFAULTS = { movies: 10_000, users: 20_000, ratings: 1_000_000, seed: 1 };

/** `crucible seed <service>`: its demo data, or for movies a generated catalogue of any size. */
export function addSeedCommand(program: Command, io: Io, start: Start) {
  const d = SEED_DEFAULTS;
  program
    .command('seed')
    .description(
      "Load a service's demo data (shop: the original's disc of 500 copies and its customer; movies: " +
        'a small catalogue, only into an empty one). With --movies, --users, --ratings or --seed, movies ' +
        'REPLACES its movies, users and ratings with a generated catalogue of that size, without asking',
    )
    .argument('<service>', 'service name')
    .option('--movies <n>', `movies only: movies to generate (default ${d.movies})`, catalogueFlags.movies)
    .option('--users <n>', `movies only: users to generate (default ${d.users})`, catalogueFlags.users)
    .option(
      '--ratings <n>',
      `movies only: ratings to generate (default ${d.ratings})`,
      catalogueFlags.ratings,
    )
    .option('--seed <s>', `movies only: the generator's seed (default ${d.seed})`, catalogueFlags.seed)
    .action(async (name: string, sizes: SizeFlags) => {
      const { config, log } = setup(io.env);
      const [service] = pickServices([name]);
      const generated = Object.values(sizes).some((v) => v !== undefined);
      if (generated && name !== 'movies')
        throw new UsageError('--movies, --users, --ratings and --seed are for `crucible seed movies` only');
      if (!generated && !service!.seed) throw new UsageError(`service "${name}" has no demo data`);
      const runtime = await start({ config, log }, [service!], { http: false, workers: false });
      try {
        if (!generated) return io.out(await service!.seed!(runtime.ctx));
        const r = await replaceCatalogue(runtime.ctx.pool, { ...d, ...sizes });
        const n = (x: number) => x.toLocaleString('en-US');
        io.out(
          `movies: replaced the catalogue with ${n(r.movies)} movies, ${n(r.users)} users and ` +
            `${n(r.ratings)} ratings (seed ${sizes.seed ?? d.seed}) in ${r.seconds} s`,
        );
        // Built here, so the first suggestion after a seed already knows the new catalogue.
        const build = await buildIfChanged(runtime.ctx.pool, log);
        if (build.built) io.out(`movies: suggestion model built in ${Math.round(build.ms) / 1000} s`);
      } finally {
        await runtime.close();
      }
    });
}
