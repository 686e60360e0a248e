import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { dayOfFile } from './daily-file.js';
import { FAILURE, SUCCESS } from './request-log.js';

export interface Counts {
  successes: number;
  failures: number;
  malformed: number;
}

export interface LogSummary {
  /** Each day with a file in the range, in order. */
  days: ({ day: string; file: string } & Counts)[];
  total: Counts;
  /** The first malformed lines, to show where they are. */
  malformedLines: { file: string; line: number; reason: string }[];
}

const SHOWN_MALFORMED = 10;

const SUCCESS_FIELD = `"outcome":"${SUCCESS}"`;
const FAILURE_FIELD = `"outcome":"${FAILURE}"`;

function outcomeOf(text: string): typeof SUCCESS | typeof FAILURE | string {
  // Lines as the request log writes them are told apart without a full parse, which halves the
  // time of a large file; anything else (a torn or edited line) is parsed to say what is wrong.
  if (text.startsWith('{"time":') && text.endsWith('}')) {
    const success = text.includes(SUCCESS_FIELD);
    if (success !== text.includes(FAILURE_FIELD)) return success ? SUCCESS : FAILURE;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  const outcome = (parsed as { outcome?: unknown } | null)?.outcome;
  if (outcome === SUCCESS || outcome === FAILURE) return outcome;
  return `no outcome "${SUCCESS}" or "${FAILURE}"`;
}

/**
 * Counts successes and failures in the daily files of `dir` from day `from` to day `to`
 * (`yyyy-mm-dd`, both included; either may be left open). Files are streamed line by line, so
 * their size does not matter; a line that is not a request log line is counted as malformed and
 * located, never a reason to stop.
 */
export async function summarizeLogs(dir: string, from?: string, to?: string): Promise<LogSummary> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new Error(`no log directory ${dir}`);
    throw err;
  });
  const files = names
    .map((file) => ({ file, day: dayOfFile(file) }))
    .filter(
      (f): f is { file: string; day: string } => !!f.day && (!from || f.day >= from) && (!to || f.day <= to),
    )
    .sort((a, b) => a.day.localeCompare(b.day));
  const summary: LogSummary = {
    days: [],
    total: { successes: 0, failures: 0, malformed: 0 },
    malformedLines: [],
  };
  for (const { file, day } of files) {
    const counts = { day, file, successes: 0, failures: 0, malformed: 0 };
    const lines = createInterface({ input: createReadStream(path.join(dir, file)), crlfDelay: Infinity });
    let number = 0;
    for await (const text of lines) {
      number++;
      if (text.trim() === '') continue;
      const outcome = outcomeOf(text);
      if (outcome === SUCCESS) counts.successes++;
      else if (outcome === FAILURE) counts.failures++;
      else {
        counts.malformed++;
        if (summary.malformedLines.length < SHOWN_MALFORMED)
          summary.malformedLines.push({ file, line: number, reason: outcome });
      }
    }
    summary.days.push(counts);
    summary.total.successes += counts.successes;
    summary.total.failures += counts.failures;
    summary.total.malformed += counts.malformed;
  }
  return summary;
}
