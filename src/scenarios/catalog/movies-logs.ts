import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Scenario, ScenarioContext, Size } from '../scenario.js';

const CLI = fileURLToPath(new URL('../../../bin/crucible.js', import.meta.url));
/** The server's log directory; a run counts what it added to it, so earlier runs do not matter. */
const LOG_DIR = path.join(tmpdir(), 'crucible-movies-logs');
const SIZES: Record<Size, { rate: number; durationS: number }> = {
  full: { rate: 200, durationS: 5 },
  smoke: { rate: 50, durationS: 2 },
};
/** Every fourth request asks for a user that does not exist: a 404, logged as a failure. */
const FAIL_EVERY = 4;
const UNKNOWN_USER = 2 ** 53 - 1;

interface Totals {
  successes: number;
  failures: number;
  malformed: number;
}

/** `crucible logs summary` for one day, as the assignment's script would be run. */
async function summary(day: string): Promise<Totals> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [CLI, 'logs', 'summary', '--from', day, '--to', day, '--dir', LOG_DIR, '--json'],
    { env: { ...process.env, LOG_LEVEL: 'silent' } },
  );
  return (JSON.parse(stdout) as { total: Totals }).total;
}

const localDay = (at = new Date()) =>
  `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')}`;

async function aUser(ctx: ScenarioContext): Promise<number> {
  const movie = await ctx.http('POST', '/movie', { name: 'Logged', release_year: 2001, genre: 'drama' });
  const user = await ctx.http('POST', '/users', { name: 'logged user' });
  const { id } = user.body as { id: number };
  await ctx.http('PUT', `/users/${id}/ratings/${(movie.body as { id: number }).id}`, { score: 4 });
  if (user.status !== 201) throw new Error(`POST /users answered ${user.status}`);
  return id;
}

/** The assignment's log check: requests to the logged endpoint, then the summary counts exactly them. */
export const moviesLogs: Scenario = {
  name: 'movies.logs',
  title: 'Movies: the request log and its summary count every request to the suggestions endpoint',
  description:
    'Requests to GET /users/{id}/recommendations at a steady rate (1,000 at full size), every fourth for a user ' +
    'that does not exist (404, "Error en Ejecucion"); the server writes its daily log to a directory of its own. ' +
    '`crucible logs summary` for the day is run before and after: what it added must equal, exactly, the answers ' +
    'the generator saw (200s as successes, every other answer as a failure), with no malformed line.',
  sixParts: {
    source: 'a client of the suggestions endpoint, some of its requests bad',
    stimulus: 'GET /users/{id}/recommendations, open model, a known share of unknown users',
    environment: 'one server process on an embedded PostgreSQL, log files on the local disk',
    artifact: "the platform's daily request log and the `crucible logs summary` command",
    response: 'one line per request with its outcome; the summary counts them',
    responseMeasure: 'summary successes == 200s seen, failures == other answers seen, malformed == 0',
  },
  availabilityDefinition:
    'good = 200 for a known user and 404 for the unknown one; the counts, not the rate, are the point.',
  seedFigure: 'the logs and the script were left undone',
  serverEnv: { LOG_DIR },
  workload: (size) => ({ model: 'open', stages: [SIZES[size]] }),
  headline: 'counted_exactly',
  criteria: () => ['counted_exactly == 1', 'malformed == 0', 'failures_seen > 0', 'successes_seen > 0'],
  async run(ctx) {
    if (!ctx.target.local)
      throw new Error("movies.logs reads the server's log files: run it without --target");
    const size = SIZES[ctx.size];
    const user = await aUser(ctx);
    const day = localDay();
    await mkdir(LOG_DIR, { recursive: true });
    const before = await summary(day);
    const result = await ctx.load(
      {
        workload: { model: 'open', stages: [size] },
        request: ({ seq }) => ({
          method: 'GET',
          path: `/users/${seq % FAIL_EVERY === FAIL_EVERY - 1 ? UNKNOWN_USER : user}/recommendations`,
        }),
        isGood: (status, _body, request) =>
          status === (request.path.includes(String(UNKNOWN_USER)) ? 404 : 200),
      },
      'GET /users/{id}/recommendations',
    );
    if (localDay() !== day) throw new Error('the run crossed midnight: run it again');
    // The log is written by a stream: give it a moment to reach the file.
    await new Promise((r) => setTimeout(r, 500));
    const after = await summary(day);
    const successesSeen = result.byStatus['200'] ?? 0;
    const failuresSeen = result.requests - successesSeen;
    const successes = after.successes - before.successes;
    const failures = after.failures - before.failures;
    ctx.log(
      `sent ${result.requests}: ${successesSeen} answered 200, ${failuresSeen} otherwise; ` +
        `the summary added ${successes} successes and ${failures} failures`,
    );
    return {
      result,
      measures: {
        requests: result.requests,
        successes_seen: successesSeen,
        failures_seen: failuresSeen,
        summary_successes: successes,
        summary_failures: failures,
        malformed: after.malformed - before.malformed,
        counted_exactly: successes === successesSeen && failures === failuresSeen,
        log_dir: LOG_DIR,
      },
    };
  },
};
