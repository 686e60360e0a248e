import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { showcaseWorker } from '../../src/scenarios/catalog/showcase-worker.js';
import { runScenario } from '../../src/scenarios/runner.js';

describe('showcase.worker', () => {
  it('at smoke size times the bare ffmpeg yardstick and the pipeline on the same clips, all processed', async () => {
    const reportsDir = await mkdtemp(path.join(os.tmpdir(), 'crucible-reports-'));
    let output = '';
    const { summary } = await runScenario(showcaseWorker, {
      size: 'smoke',
      reportsDir,
      out: (s) => (output += s),
    });
    const m = summary.measures;
    expect(summary.outcome, output).toBe('pass');
    expect(m, output).toMatchObject({ clips: 2, uploaded: 2, processed: 2, failed: 0 });
    expect(m.yardstick_videos_per_min, output).toBeGreaterThan(0);
    expect(m.videos_per_min, output).toBeGreaterThan(0);
    expect(m.ratio, output).toBeGreaterThan(0);
    expect(String(m.yardstick_command), output).toMatch(/ffmpeg .*-filter_complex .*-an .*libx264/);
    expect(output).toContain('yardstick: 2 bare ffmpeg runs');
  });
});
