import { runScenario, type Completed, type RunOptions } from './runner.js';
import type { Scenario } from './scenario.js';

export interface ScenarioOutcome {
  scenario: Scenario;
  completed?: Completed;
  error?: string;
}

/** Runs scenarios one after another; one that cannot run is reported, and the rest still run. */
export async function runScenarios(scenarios: Scenario[], opts: RunOptions): Promise<ScenarioOutcome[]> {
  const outcomes: ScenarioOutcome[] = [];
  for (const scenario of scenarios) {
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
