import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/program.js';
import { criticality } from '../../src/services/criticality/index.js';
import { startTestApp, type TestApp } from '../helpers.js';

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    env: { LOG_LEVEL: 'silent' },
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const short = ['--producers', '2', '--consumers', '6', '--duration', '2s', '--interval', '150ms'];

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp([criticality], {}, { workers: false });
});
afterAll(async () => {
  await app?.close();
});

describe('crucible simulate criticality', () => {
  it('drives producers and consumers against a server and judges every delivery once', async () => {
    const { code, stdout, stderr } = await cli(['simulate', 'criticality', ...short, '--target', app.url]);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^ {3}1 s {2}posts +\d+ {2}polls +\d+/m);
    expect(stdout).toMatch(/^verdict: PASS: 6 consumers, duplicates 0, missed 0, wrong state 0$/m);
    const checked = /checked (\d+) polls/.exec(stdout);
    expect(Number(checked?.[1])).toBeGreaterThan(0);
  });

  it('fails, exit 1, against a server that gives the same state on every poll', async () => {
    let id = 0;
    const server: Server = createServer((req, res) => {
      req.resume();
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST') return res.end(JSON.stringify({ processed_id: ++id }));
      res.end(JSON.stringify({ current_status: 1, status_change_id: id, Change_at: '2026-12-07T00:00:00Z' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { code, stdout } = await cli(['simulate', 'criticality', ...short, '--target', url]);
      expect(code).toBe(1);
      expect(stdout).toMatch(/^verdict: FAIL: 6 consumers, duplicates [1-9]/m);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('refuses a bad count, duration or URL', async () => {
    for (const bad of [
      ['--consumers', '0'],
      ['--duration', 'soon'],
      ['--target', 'nowhere'],
    ]) {
      const { code, stderr } = await cli(['simulate', 'criticality', ...bad]);
      expect(code, bad.join(' ')).not.toBe(0);
      expect(stderr).toMatch(/must be/);
    }
  });
});
