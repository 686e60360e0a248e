import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunSummary } from '../model.js';
import { timelineCsv } from './csv.js';
import { renderHtml } from './html.js';

export { renderHtml } from './html.js';
export { timelineCsv } from './csv.js';

/** Writes report.html, summary.json and timeline.csv into dir (created if needed); returns the paths. */
export async function writeReport(
  dir: string,
  summary: RunSummary,
): Promise<{ html: string; json: string; csv: string }> {
  await mkdir(dir, { recursive: true });
  const paths = {
    html: path.resolve(dir, 'report.html'),
    json: path.resolve(dir, 'summary.json'),
    csv: path.resolve(dir, 'timeline.csv'),
  };
  await Promise.all([
    writeFile(paths.html, renderHtml(summary), 'utf8'),
    writeFile(paths.json, JSON.stringify(summary, null, 2), 'utf8'),
    writeFile(paths.csv, timelineCsv(summary), 'utf8'),
  ]);
  return paths;
}
