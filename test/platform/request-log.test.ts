import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/program.js';
import { NotFoundError } from '../../src/platform/errors.js';
import { DailyFile, dailyFileName, dayOfFile } from '../../src/platform/logs/daily-file.js';
import { FAILURE, SUCCESS, type RequestLogLine } from '../../src/platform/logs/request-log.js';
import { summarizeLogs } from '../../src/platform/logs/summary.js';
import { startTestApp, testService } from '../helpers.js';
import { tempDir } from '../process.js';
import { client } from '../shop/client.js';

const line = (outcome: string, extra: object = {}) =>
  JSON.stringify({ time: '2026-11-24T10:00:00.000Z', request_id: 'r', outcome, ...extra });

describe('daily log files', () => {
  it('are named log_dd_mm_yyyy.log by the local date, and read back to their day', () => {
    const at = new Date(2026, 0, 5, 23, 59);
    expect(dailyFileName(at)).toBe('log_05_01_2026.log');
    expect(dayOfFile('log_05_01_2026.log')).toBe('2026-01-05');
    expect(dayOfFile('log_05_01_2026.log.bak')).toBeUndefined();
    expect(dayOfFile('notes.txt')).toBeUndefined();
  });

  it('take lines from several writers on one file whole, and start a new file each day', async () => {
    const dir = path.join(await tempDir(), 'logs');
    const errors: Error[] = [];
    // Two writers with a descriptor each, as two instances on one machine would have.
    const writers = [new DailyFile(dir, (e) => errors.push(e)), new DailyFile(dir, (e) => errors.push(e))];
    const day1 = new Date(2026, 10, 23, 12);
    const day2 = new Date(2026, 10, 24, 0, 1);
    const padding = 'x'.repeat(300);
    for (let i = 0; i < 2000; i++) writers[i % 2]!.write(line(SUCCESS, { i, padding }), day1);
    writers[0]!.write(line(FAILURE), day2);
    await Promise.all(writers.map((w) => w.close()));
    expect(errors).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['log_23_11_2026.log', 'log_24_11_2026.log']);
    const lines = (await readFile(path.join(dir, 'log_23_11_2026.log'), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(2000);
    const seen = new Set(lines.map((l) => (JSON.parse(l) as { i: number }).i));
    expect(seen.size).toBe(2000);
  });
});

describe('the request log of a route', () => {
  // The hang-up must come after the server has the request (a fixed client timeout can fire
  // before a loaded machine even connects), so the slow handler says when it has started.
  let slowStarted!: () => void;
  const started = new Promise<void>((resolve) => (slowStarted = resolve));
  const demo = testService('logdemo', async (app: FastifyInstance) => {
    app.get<{ Params: { id: string } }>(
      '/users/:id/recommendations',
      { config: { requestLog: { user: (request) => (request.params as { id: string }).id } } },
      async (request) => {
        if (request.params.id === '404') throw new NotFoundError('User not found');
        return [];
      },
    );
    app.get('/plain', { config: { requestLog: true } }, async () => ({ ok: true }));
    app.get('/unlogged', async () => ({ ok: true }));
    app.get('/slow', { config: { requestLog: true } }, async () => {
      slowStarted();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return { ok: true };
    });
  });

  it('writes one JSON line per request of the routes that ask, with its outcome', async () => {
    const logDir = path.join(await tempDir(), 'logs');
    const app = await startTestApp([demo], { LOG_DIR: logDir }, { workers: false });
    const http = client(app.url);
    try {
      for (const p of ['/users/7/recommendations', '/users/404/recommendations', '/plain', '/unlogged'])
        await http.get(p);
      // A client that hangs up before the answer: a failure, though the handler went on to 200.
      const hangUp = new AbortController();
      const slow = fetch(`${app.url}/slow`, { signal: hangUp.signal }).catch(() => undefined);
      await started;
      await new Promise((resolve) => setTimeout(resolve, 50));
      hangUp.abort();
      await slow;
      // The server learns of the hang-up a moment later; wait for its line (bounded).
      const today = path.join(logDir, dailyFileName(new Date()));
      const count = async () => (await readFile(today, 'utf8').catch(() => '')).split('\n').length - 1;
      for (const deadline = Date.now() + 5000; (await count()) < 4 && Date.now() < deadline;)
        await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await http.close();
      await app.close();
    }
    const files = await readdir(logDir);
    expect(files).toEqual([dailyFileName(new Date())]);
    const lines = (await readFile(path.join(logDir, files[0]!), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as RequestLogLine);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatchObject({ route: '/slow', status: 499, outcome: FAILURE });
    // Timed to the hang-up (~50 ms after the handler started), not to the handler's end at 1 s.
    expect(lines[3]!.ms).toBeGreaterThanOrEqual(40);
    expect(lines[3]!.ms).toBeLessThan(1000);
    expect(lines[0]).toMatchObject({
      route: '/users/:id/recommendations',
      user: '7',
      status: 200,
      outcome: SUCCESS,
      method: 'GET',
    });
    expect(lines[0]!.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines[0]!.ms).toBeGreaterThanOrEqual(0);
    expect(lines[1]).toMatchObject({ user: '404', status: 404, outcome: FAILURE });
    expect(lines[2]).toMatchObject({ route: '/plain', status: 200, outcome: SUCCESS });
    expect(lines[2]!.user).toBeUndefined();
  });
});

describe('the log summary', () => {
  async function logs() {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'log_22_11_2026.log'), `${line(SUCCESS)}\n`);
    await writeFile(
      path.join(dir, 'log_23_11_2026.log'),
      [line(SUCCESS), line(SUCCESS), line(FAILURE), '', 'garbage', line('Maybe'), '{"time":"x"'].join('\n') +
        '\n',
    );
    await writeFile(path.join(dir, 'log_24_11_2026.log'), `${line(FAILURE)}\r\n${line(SUCCESS)}\r\n`);
    await writeFile(path.join(dir, 'README.txt'), 'not a log\n');
    return dir;
  }

  it('counts each day in range and in total, and locates malformed lines', async () => {
    const summary = await summarizeLogs(await logs(), '2026-11-23', '2026-11-24');
    expect(summary.days).toEqual([
      { day: '2026-11-23', file: 'log_23_11_2026.log', successes: 2, failures: 1, malformed: 3 },
      { day: '2026-11-24', file: 'log_24_11_2026.log', successes: 1, failures: 1, malformed: 0 },
    ]);
    expect(summary.total).toEqual({ successes: 3, failures: 2, malformed: 3 });
    expect(summary.malformedLines).toEqual([
      { file: 'log_23_11_2026.log', line: 5, reason: 'not JSON' },
      { file: 'log_23_11_2026.log', line: 6, reason: `no outcome "${SUCCESS}" or "${FAILURE}"` },
      { file: 'log_23_11_2026.log', line: 7, reason: 'not JSON' },
    ]);
    expect((await summarizeLogs(await logs())).total.successes).toBe(4);
  });

  it('is a command: a table, JSON, and clear refusals', async () => {
    const dir = await logs();
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      env: { LOG_LEVEL: 'silent' },
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
    };
    expect(
      await main(['logs', 'summary', '--dir', dir, '--from', '2026-11-23', '--to', '2026-11-23'], io),
    ).toBe(0);
    expect(out).toEqual([
      'day          successes  failures malformed',
      '2026-11-23           2         1         3',
      'total                2         1         3',
    ]);
    expect(err[0]).toBe('log_23_11_2026.log:5: malformed line (not JSON)');
    out.length = 0;
    expect(await main(['logs', 'summary', '--dir', dir, '--json'], io)).toBe(0);
    expect(JSON.parse(out.join('\n')).total).toEqual({ successes: 4, failures: 2, malformed: 3 });
    err.length = 0;
    expect(await main(['logs', 'summary', '--dir', dir, '--from', '24/11/2026'], io)).not.toBe(0);
    expect(err.join('\n')).toContain('must be a date like 2026-11-24');
    err.length = 0;
    expect(
      await main(['logs', 'summary', '--dir', dir, '--from', '2026-11-24', '--to', '2026-11-23'], io),
    ).toBe(2);
    expect(err.join('\n')).toContain('--from 2026-11-24 is after --to 2026-11-23');
    err.length = 0;
    expect(await main(['logs', 'summary', '--dir', path.join(dir, 'nowhere')], io)).toBe(2);
    expect(err.join('\n')).toContain('no log directory');
  });
});
