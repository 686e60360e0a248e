import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Completed } from './runner.js';
import type { Scenario } from './scenario.js';

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** One line per scenario: its headline measure against its target, and the run's verdict. */
function headlineRow({
  scenario,
  completed,
  error,
  skipped,
}: {
  scenario: Scenario;
  completed?: Completed;
  error?: string;
  skipped?: string;
}) {
  const seed = cell(scenario.seedFigure ?? '—');
  if (skipped)
    return `| ${scenario.name} | ${seed} | ${scenario.headline} | — | ${cell(skipped)} | SKIPPED |`;
  if (!completed)
    return `| ${scenario.name} | ${seed} | ${scenario.headline} | — | ${cell(error ?? 'did not run')} | ERROR |`;
  const { summary } = completed;
  const verdict = summary.verdicts.find((v) => v.criterion.trim().startsWith(scenario.headline));
  return (
    `| ${scenario.name} | ${seed} | ${scenario.headline} | \`${cell(verdict?.criterion ?? '—')}\` | ` +
    `${cell(verdict?.actual ?? '—')} | ${summary.outcome.toUpperCase()} |`
  );
}

/** One line per criterion of every scenario: the seeds' checklists, measured. */
export function scorecardMarkdown(
  runs: { scenario: Scenario; completed?: Completed; error?: string; skipped?: string }[],
): string {
  const lines = [
    '# Scorecard',
    '',
    `Written by \`npm run scenarios\` on ${new Date().toISOString()}. Each scenario's report is linked.`,
    '',
    '| scenario | the original reported | measure | target | result | verdict |',
    '| --- | --- | --- | --- | --- | --- |',
    ...runs.map(headlineRow),
    '',
    'Every criterion:',
    '',
    '| scenario | the original reported | criterion | result | verdict | report |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const { scenario, completed, error, skipped } of runs) {
    const seed = cell(scenario.seedFigure ?? '—');
    if (skipped) {
      lines.push(`| ${scenario.name} | ${seed} | — | not run here: ${cell(skipped)} | SKIPPED | — |`);
      continue;
    }
    if (!completed) {
      lines.push(
        `| ${scenario.name} | ${seed} | — | did not run: ${cell(error ?? 'unknown error')} | ERROR | — |`,
      );
      continue;
    }
    const { summary, reportDir } = completed;
    const link = `[report](${path.join(path.basename(path.dirname(reportDir)), path.basename(reportDir), 'report.html')})`;
    for (const v of summary.verdicts) {
      const verdict = summary.outcome === 'invalid' ? 'INVALID' : v.pass ? 'PASS' : 'FAIL';
      lines.push(
        `| ${scenario.name} | ${seed} | \`${cell(v.criterion)}\` | ${cell(v.actual)} | ${verdict} | ${link} |`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

export async function writeScorecard(reportsDir: string, markdown: string): Promise<string> {
  const file = path.join(reportsDir, 'scorecard.md');
  await writeFile(file, markdown);
  return file;
}
