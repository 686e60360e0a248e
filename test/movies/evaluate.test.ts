import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/program.js';
import { evaluate, type EvalResult } from '../../src/services/movies/suggest/evaluate.js';

const SMALL = { movies: 800, users: 1200, ratings: 60_000, seed: 5 };

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    env: { LOG_LEVEL: 'silent' },
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('the offline evaluation', () => {
  it('has ours beat popularity and the global mean on every ranking metric, on a small seed', () => {
    const result = evaluate(SMALL);
    const [ours, popularity, globalMean] = result.rows;
    expect(result.rows.map((r) => r.name)).toEqual(['ours', 'popularity', 'global mean']);
    for (const metric of ['precision', 'recall', 'ndcg'] as const) {
      expect(ours![metric]).toBeGreaterThan(popularity![metric]);
      expect(ours![metric]).toBeGreaterThan(globalMean![metric]);
    }
    expect(ours!.rmse).toBeLessThan(popularity!.rmse);
    expect(popularity!.rmse).toBeLessThan(globalMean!.rmse);
    for (const r of result.rows) {
      expect(r.precision).toBeLessThanOrEqual(1);
      expect(r.ndcg).toBeLessThanOrEqual(1);
    }
    // A fifth of each tested user's ratings is held out; the split is the same every run.
    expect(result.data.train + result.data.test).toBe(60_000);
    expect(result.data.test / 60_000).toBeCloseTo(0.2, 1);
    expect(evaluate(SMALL).rows).toEqual(result.rows);
  });

  it('prints the table, and the same rows as JSON', async () => {
    const flags = ['--movies', '800', '--users', '1200', '--ratings', '60000', '--seed', '5'];
    const table = await cli(['eval', 'movies', ...flags]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/algorithm\s+P@10\s+R@10\s+NDCG@10\s+RMSE/);
    expect(table.stdout).toMatch(/^ours\s+0\.\d{4}/m);
    expect(table.stdout).toMatch(/^popularity\s/m);
    expect(table.stdout).toMatch(/^global mean\s/m);
    expect(table.stdout).toContain('800 movies, 1,200 users, 60,000 ratings (seed 5)');
    const json = await cli(['eval', 'movies', ...flags, '--json']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as EvalResult;
    expect(parsed.rows).toEqual(evaluate(SMALL).rows);
    const oursLine = table.stdout.split('\n').find((l) => l.startsWith('ours'))!;
    expect(oursLine).toContain(parsed.rows[0]!.precision.toFixed(4));
  });

  it('scores each half of ours alone with --variants, the blend no worse than either on NDCG', async () => {
    const flags = ['--movies', '800', '--users', '1200', '--ratings', '60000', '--seed', '5'];
    const { code, stdout } = await cli(['eval', 'movies', ...flags, '--variants', '--json']);
    expect(code).toBe(0);
    const rows = (JSON.parse(stdout) as EvalResult).rows;
    expect(rows.map((r) => r.name)).toEqual([
      'ours',
      'popularity',
      'global mean',
      'neighbours only',
      'profile only',
    ]);
    const ndcg = Object.fromEntries(rows.map((r) => [r.name, r.ndcg]));
    expect(ndcg['ours']).toBeGreaterThanOrEqual(ndcg['neighbours only']!);
    expect(ndcg['neighbours only']).not.toBe(ndcg['profile only']);
  });

  it('refuses another service and a bad size', async () => {
    const other = await cli(['eval', 'shop']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('known: movies');
    const bad = await cli(['eval', 'movies', '--ratings', 'lots']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('must be an integer from 0 to 100,000,000');
  });
});
