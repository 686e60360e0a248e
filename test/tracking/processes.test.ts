import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, serve, tempDir } from '../process.js';
import { waitFor } from '../platform/events/contract.js';

/** Real processes: `crucible serve` stopped with SIGTERM, a worker killed with SIGKILL. */

const interaction = (i: number) => ({
  interaction_type: 'click',
  target_element_id: `el-${i}`,
  target_element_type: 'button',
  campaign_id: `campaign-${i % 7}`,
});

async function post(url: string, body: unknown) {
  const res = await fetch(`${url}/tracking/interactions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { interaction_id?: string } };
}

async function countedOk(url: string): Promise<number> {
  const res = await fetch(`${url}/tracking/stats/daily`);
  const { items } = (await res.json()) as { items: { status: string; count: number }[] };
  return items.filter((i) => i.status === 'ok').reduce((sum, i) => sum + Number(i.count), 0);
}

function worker(env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, 'worker', '--queues', 'tracking'], {
    env: { ...process.env, DATABASE_URL: '', NATS_URL: '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  return { child, exited, output: () => output };
}

describe('tracking across processes', () => {
  it('SIGTERM in the middle of a stream of interactions: exit 0, and every accepted one is counted', async () => {
    const dir = await tempDir();
    const env = { DATA_DIR: dir, SERVICES: 'tracking' };
    const first = await serve(env);
    const accepted: string[] = [];
    let sent = 0;
    let stop = false;
    // Eight clients posting in a loop until the server goes away.
    const clients = Array.from({ length: 8 }, async () => {
      while (!stop) {
        const i = sent++;
        try {
          const res = await post(first.url, interaction(i));
          if (res.status === 202) accepted.push(res.body.interaction_id!);
        } catch {
          return; // connection refused: the server has closed
        }
      }
    });
    await waitFor(() => accepted.length >= 300, 30_000, '300 accepted interactions');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    stop = true;
    await Promise.all(clients);
    expect(first.output()).toContain('shutting down');

    // Whatever was accepted is durable: a new process counts all of it, each once.
    const second = await serve(env);
    try {
      await waitFor(
        async () => (await countedOk(second.url)) >= accepted.length,
        60_000,
        `${accepted.length} counted`,
      );
      await new Promise((r) => setTimeout(r, 500));
      expect(await countedOk(second.url)).toBe(accepted.length);
      const sample = accepted[accepted.length - 1]!;
      const read = await fetch(`${second.url}/tracking/interactions/${sample}`);
      expect(read.status).toBe(200);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('a worker killed with SIGKILL mid-batch: another takes its partitions, nothing lost or counted twice', async () => {
    const dir = await tempDir();
    const env = {
      DATA_DIR: dir,
      SERVICES: 'tracking',
      TRACKING_BATCH_SIZE: '20',
      TRACKING_CONSUMERS: '1',
    };
    const api = await serve(env, ['--no-workers']);
    const workers: ReturnType<typeof worker>[] = [];
    try {
      const total = 3000;
      const ids: string[] = [];
      for (let i = 0; i < total; i += 100) {
        const batch = Array.from({ length: 100 }, (_, j) => interaction(i + j));
        const res = await fetch(`${api.url}/tracking/interactions/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(batch),
        });
        expect(res.status).toBe(202);
        ids.push(...((await res.json()) as { interaction_ids: string[] }).interaction_ids);
      }
      expect(new Set(ids).size).toBe(total);
      expect(await countedOk(api.url)).toBe(0); // no worker yet: accepted, not counted

      const doomed = worker(env);
      workers.push(doomed);
      await waitFor(async () => (await countedOk(api.url)) >= 200, 60_000, 'the first worker to count some');
      doomed.child.kill('SIGKILL');
      await doomed.exited;
      const countedAtKill = await countedOk(api.url);
      expect(countedAtKill).toBeLessThan(total);

      const rescuer = worker(env);
      workers.push(rescuer);
      await waitFor(async () => (await countedOk(api.url)) >= total, 60_000, `all ${total} counted`);
      await new Promise((r) => setTimeout(r, 1000));
      expect(await countedOk(api.url)).toBe(total);
    } finally {
      for (const w of workers) {
        w.child.kill('SIGTERM');
        await w.exited;
      }
      api.child.kill('SIGTERM');
      await api.exited;
    }
  });
});
