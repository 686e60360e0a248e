import path from 'node:path';
import { judge } from './criteria.js';
import { checkCpu, describeCpuCheck } from './cpu-check.js';
import { describeEnvironment } from './environment.js';
import { runLoad } from './load/engine.js';
import type { RunSummary } from './model.js';
import { pinSelf, splitCores } from './cores.js';
import { progressPrinter } from './progress.js';
import { writeReport } from './report/write.js';
import { helperClient } from './helper-client.js';
import type { Scenario, ScenarioContext, Size } from './scenario.js';
import { remoteTarget, startTarget } from './target.js';

export interface RunOptions {
  size: Size;
  /** Drive this server instead of starting one. */
  targetUrl?: string;
  /** Keep the started server's data here instead of a fresh temporary directory. */
  dataDir?: string;
  /** Where `<scenario>/<timestamp>/` folders go. */
  reportsDir: string;
  out: (text: string) => void;
  tty?: boolean;
}

export interface Completed {
  summary: RunSummary;
  reportDir: string;
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');

/** Starts (or targets) the server, runs the scenario, judges it and writes its report. */
export async function runScenario(scenario: Scenario, opts: RunOptions): Promise<Completed> {
  const { out } = opts;
  out(`\n${scenario.name} — ${scenario.title} (${opts.size})\n`);
  // Before any pinning, and before the target starts: the cores as the run finds them.
  const cpuCheck = await checkCpu();
  out(`  cpu check: ${describeCpuCheck(cpuCheck)}\n`);
  const split = !opts.targetUrl && scenario.separateCores ? splitCores() : undefined;
  const unpin = split ? pinSelf(split.generator) : () => undefined;
  const target = opts.targetUrl
    ? remoteTarget(opts.targetUrl)
    : await (
        scenario.startTarget?.() ??
        startTarget({ env: scenario.serverEnv, dataDir: opts.dataDir, cpus: split?.server })
      ).catch((err) => {
        unpin();
        throw err;
      });
  if (split)
    out(`  cores: generator on CPU ${split.generator}, server and its database on CPU ${split.server}\n`);
  out(`  target ${target.url}${opts.targetUrl ? '' : ' (started by the harness, fresh database)'}\n`);
  const client = helperClient(target);
  const ctx: ScenarioContext = {
    target,
    size: opts.size,
    http: client.http,
    log: (line) => out(`  ${line}\n`),
    async load(loadOpts, label = 'load') {
      const progress = progressPrinter(label, out, opts.tty ?? false);
      try {
        return await runLoad({ ...loadOpts, baseUrl: target.url, onSecond: progress.second });
      } finally {
        progress.end();
      }
    },
  };
  try {
    const environment = await describeEnvironment(target, cpuCheck);
    const run = await scenario.run(ctx);
    const { result } = run;
    const availability = result.requests ? result.good / result.requests : 0;
    const judged = {
      availability,
      errorRate: 1 - availability,
      throughput: result.durationS ? result.requests / result.durationS : 0,
      result,
      measures: run.measures,
    };
    const verdicts = [...scenario.criteria(opts.size).map((c) => judge(c, judged)), ...(run.checks ?? [])];
    const outcome = result.generator.saturated ? 'invalid' : verdicts.every((v) => v.pass) ? 'pass' : 'fail';
    const summary: RunSummary = {
      scenario: scenario.name,
      title: scenario.title,
      description: scenario.description,
      size: opts.size,
      sixParts: scenario.sixParts,
      workload: run.workload ?? scenario.workload(opts.size),
      availabilityDefinition: scenario.availabilityDefinition,
      expectedRefusals: (scenario.expectedRefusals ?? []).map(String),
      result,
      availability,
      errorRate: judged.errorRate,
      throughput: judged.throughput,
      measures: run.measures,
      verdicts,
      outcome,
      environment,
    };
    const reportDir = path.join(opts.reportsDir, scenario.name, stamp());
    await writeReport(reportDir, summary);
    printVerdicts(summary, out);
    out(`  report: ${path.join(reportDir, 'report.html')}\n`);
    return { summary, reportDir };
  } finally {
    await client.close();
    await target.stop();
    unpin();
  }
}

function printVerdicts(summary: RunSummary, out: (s: string) => void) {
  for (const v of summary.verdicts) {
    out(
      `  ${v.pass ? 'PASS' : 'FAIL'}  ${v.criterion.padEnd(34)} ${v.actual}${v.detail ? `  (${v.detail})` : ''}\n`,
    );
  }
  const g = summary.result.generator;
  if (g.saturated)
    out(`  INVALID: the load generator could not keep up (${g.reason}); the run proves nothing\n`);
  out(`  => ${summary.outcome.toUpperCase()}\n`);
}
