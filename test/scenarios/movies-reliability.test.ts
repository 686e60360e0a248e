import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moviesReliability } from '../../src/scenarios/catalog/movies-reliability.js';
import { runScenario } from '../../src/scenarios/runner.js';

describe('movies.reliability', () => {
  it('at smoke size sends each endpoint its requests one after the other, with no error', async () => {
    const reportsDir = await mkdtemp(path.join(os.tmpdir(), 'crucible-reports-'));
    let output = '';
    const { summary } = await runScenario(moviesReliability, {
      size: 'smoke',
      reportsDir,
      out: (s) => (output += s),
    });
    const m = summary.measures;
    expect(summary.outcome, output).toBe('pass');
    expect(m.errors, output).toBe(0);
    expect(m.movie_requests, output).toBe(300);
    expect(m.movie_list_requests, output).toBe(300);
    expect(m.user_requests, output).toBe(300);
    expect(summary.result.requests, output).toBe(300 * Number(m.endpoints));
    expect(output).toContain('endpoints: GET /movie/{id}, GET /movie, GET /users/{id}');
  }, 60_000);
});
