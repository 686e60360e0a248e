import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moviesPartition } from '../../src/scenarios/catalog/movies-partition.js';
import { runScenario } from '../../src/scenarios/runner.js';

describe('movies.partition', () => {
  it('at smoke size stops PostgreSQL under reads: stale reads, fast 503 writes, recovery timed', async () => {
    const reportsDir = await mkdtemp(path.join(os.tmpdir(), 'crucible-reports-'));
    let output = '';
    const { summary } = await runScenario(moviesPartition, {
      size: 'smoke',
      reportsDir,
      out: (s) => (output += s),
    });
    const m = summary.measures;
    expect(summary.outcome, output).toBe('pass');
    expect(m.read_errors, output).toBe(0);
    expect(m.stale_reads, output).toBeGreaterThan(0);
    expect(m.fresh_reads, output).toBeGreaterThan(0);
    expect(m.writes_during_outage_fast_503, output).toBeGreaterThan(0);
    expect(m.first_fresh_read_after_restart_ms, output).toBeGreaterThanOrEqual(0);
    expect(m.first_write_after_restart_ms, output).toBeGreaterThanOrEqual(0);
    expect(output).toContain('PostgreSQL stopped');
  }, 90_000);
});
