import { runScenario, type Completed, type RunOptions } from './runner.js';
import type { Scenario } from './scenario.js';

export interface ScenarioOutcome {
  scenario: Scenario;
  completed?: Completed;
  error?: string;
  /** Why it did not run here (something missing on the machine, and how to get it). */
  skipped?: string;
}

/** Runs scenarios one after another; one that cannot run is reported, and the rest still run. */
export async function runScenarios(scenarios: Scenario[], opts: RunOptions): Promise<ScenarioOutcome[]> {
  const outcomes: ScenarioOutcome[] = [];
  for (const scenario of scenarios) {
    const missing = scenario.unavailable?.();
    if (missing) {
      opts.out(`\n${scenario.name} — SKIPPED: ${missing}\n`);
      outcomes.push({ scenario, skipped: missing });
      continue;
    }
    try {
      outcomes.push({ scenario, completed: await runScenario(scenario, opts) });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      opts.out(`  ERROR: ${scenario.name} could not run: ${error}\n`);
      outcomes.push({ scenario, error });
    }
  }
  return outcomes;
}
