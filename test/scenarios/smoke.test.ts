import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../src/scenarios/catalog/index.js';
import type { RunSummary } from '../../src/scenarios/model.js';
import { runScenario } from '../../src/scenarios/runner.js';

/** Every scenario end to end at smoke size (seconds), so none rots between full runs. */
describe.sequential('scenarios at smoke size', () => {
  for (const scenario of SCENARIOS) {
    const missing = scenario.unavailable?.();
    it.skipIf(missing)(
      `${scenario.name} runs, judges and writes its report${missing ? ` (skipped: ${missing})` : ''}`,
      async () => {
        const reportsDir = await mkdtemp(path.join(os.tmpdir(), 'crucible-reports-'));
        let output = '';
        const { summary, reportDir } = await runScenario(scenario, {
          size: 'smoke',
          reportsDir,
          out: (s) => (output += s),
        });
        for (const file of ['report.html', 'summary.json', 'timeline.csv']) {
          expect(existsSync(path.join(reportDir, file)), file).toBe(true);
        }
        const saved = JSON.parse(readFileSync(path.join(reportDir, 'summary.json'), 'utf8')) as RunSummary;
        expect(saved.verdicts.length).toBeGreaterThan(0);
        expect(saved.result.requests).toBeGreaterThan(0);
        expect(output).toContain(`=> ${summary.outcome.toUpperCase()}`);
        if (scenario.name === 'tracking.availability') {
          // Seven processes on two cores may leave the generator behind (INVALID), but never lose
          // or double-count an interaction.
          expect(['pass', 'invalid'], output).toContain(summary.outcome);
          expect(summary.measures.lost, output).toBe(0);
          expect(summary.measures.counted_twice, output).toBe(0);
        } else if (scenario.name === 'criticality.exactly-once') {
          expect(summary.outcome, output).toBe('pass');
          expect(summary.measures.duplicates, output).toBe(0);
          expect(summary.measures.missed, output).toBe(0);
          expect(summary.measures.pairs_checked, output).toBeGreaterThan(0);
        } else if (scenario.name === 'criticality.stale-alert') {
          // On time, once, cleared once: the alert's correctness, which a busy machine must not change.
          expect(summary.outcome, output).toBe('pass');
          expect(summary.measures.stale_events, output).toBe(1);
          expect(summary.measures.recovered_events, output).toBe(1);
        } else if (scenario.name === 'movies.logs') {
          expect(summary.outcome, output).toBe('pass');
          expect(summary.measures.counted_exactly, output).toBe(true);
        } else if (['movies.reliability', 'showcase.worker', 'showcase.capacity'].includes(scenario.name)) {
          // At smoke size they judge correctness only (0 errors; uploads taken, every clip processed, none failed).
          expect(summary.outcome, output).toBe('pass');
        } else if (scenario.name.startsWith('shop.') || scenario.name.startsWith('tracking.')) {
          // Correctness does not depend on how busy the machine is: these must pass.
          expect(summary.outcome, output).toBe('pass');
          if (scenario.name === 'tracking.throughput' && process.platform === 'linux') {
            // The CPU accounting finds the embedded PostgreSQL inside the target's process tree.
            const m = summary.measures as Record<string, number>;
            expect(m.batch_postgres_cpu_us_per_event).toBeGreaterThan(0);
            expect(m.batch_postgres_cpu_us_per_event).toBeLessThan(m.batch_target_cpu_us_per_event!);
            // Each single step has its own bound: the part's average mixes in the costlier low steps.
            expect(m.cpu_bound_at_200).toBeGreaterThan(0);
          }
        } else {
          // Overload on two shared cores may leave the generator behind: then INVALID, never FAIL.
          expect(['pass', 'invalid'], output).toContain(summary.outcome);
          expect(summary.measures.alive_after).toBe(true);
        }
      },
    );
  }
});
