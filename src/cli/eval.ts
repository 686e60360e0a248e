import type { Command } from 'commander';
import { EVAL_DEFAULTS, evaluate, type EvalResult } from '../services/movies/suggest/evaluate.js';
import { UsageError } from './context.js';
import { catalogueFlags } from './options.js';
import type { Io } from './program.js';

interface Options {
  movies: number;
  users: number;
  ratings: number;
  seed: number;
  json?: boolean;
  variants?: boolean;
}

/** `crucible eval movies`: the suggestions scored offline on held-out generated ratings. */
export function addEvalCommand(program: Command, io: Io) {
  const d = EVAL_DEFAULTS;
  program
    .command('eval')
    .description(
      "Score a service's algorithm offline (movies: precision, recall and NDCG at 10 and RMSE on 20 % " +
        "of each user's generated ratings held out, beside a popularity and a global-mean baseline)",
    )
    .argument('<service>', 'the service to evaluate (movies)')
    .option('--movies <n>', `movies to generate (default ${d.movies})`, catalogueFlags.movies, d.movies)
    .option('--users <n>', `users to generate (default ${d.users})`, catalogueFlags.users, d.users)
    .option('--ratings <n>', `ratings to generate (default ${d.ratings})`, catalogueFlags.ratings, d.ratings)
    .option('--seed <s>', `the generator's seed (default ${d.seed})`, catalogueFlags.seed, d.seed)
    .option('--variants', 'also score each half of ours alone (neighbours only, profile only)')
    .option('--json', 'print the rows as JSON instead of a table')
    .action((service: string, opts: Options) => {
      if (service !== 'movies')
        throw new UsageError(`service "${service}" has no offline evaluation; known: movies`);
      const { movies, users, ratings, seed, variants } = opts;
      const result = evaluate({ movies, users, ratings, seed }, { variants });
      if (opts.json) return io.out(JSON.stringify(result, null, 2));
      for (const line of evalTable(result)) io.out(line);
    });
}

export function evalTable(r: EvalResult): string[] {
  const f = (x: number) => x.toFixed(4).padStart(9);
  const n = (x: number) => x.toLocaleString('en-US');
  const { data: d, seconds: s } = r;
  return [
    `${'algorithm'.padEnd(16)}${['P@10', 'R@10', 'NDCG@10', 'RMSE'].map((h) => h.padStart(9)).join('')}`,
    ...r.rows.map(
      (row) => `${row.name.padEnd(16)}${f(row.precision)}${f(row.recall)}${f(row.ndcg)}${f(row.rmse)}`,
    ),
    '',
    `data: ${n(d.movies)} movies, ${n(d.users)} users, ${n(d.ratings)} ratings (seed ${d.seed}); ` +
      `trained on ${n(d.train)}, tested on ${n(d.test)} held-out ratings of ${n(d.testUsers)} users`,
    `seconds: generate ${s.generate}, build ${s.build}, evaluate ${s.evaluate}, total ${s.total}; ` +
      `one suggestion of ours: ${r.recommendMs} ms`,
  ];
}
