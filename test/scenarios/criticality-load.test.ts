import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { criticalityLoad } from '../../src/scenarios/catalog/criticality-load.js';
import { DeliveryLedger } from '../../src/scenarios/catalog/criticality-data.js';
import type { RequestSpec } from '../../src/scenarios/model.js';
import { runScenario } from '../../src/scenarios/runner.js';

const poll = (app: string): RequestSpec => ({
  method: 'GET',
  path: '/secapp/update',
  headers: { 'App-name': app, token: 't' },
});
const state = (id: number) =>
  JSON.stringify({ current_status: 3, status_change_id: id, Change_at: '2026-01-01T00:00:00Z' });

describe('criticality.load', () => {
  it('counts a state given twice to one app as a duplicate, and the same state to another app as a delivery', () => {
    const ledger = new DeliveryLedger();
    expect(ledger.isGood(200, '{}', poll('a'))).toBe(true);
    expect(ledger.isGood(200, state(7), poll('a'))).toBe(true);
    expect(ledger.isGood(200, state(7), poll('b'))).toBe(true);
    expect(ledger.isGood(200, state(7), poll('a'))).toBe(false);
    expect(ledger.isGood(200, '{"current_status":3}', poll('a'))).toBe(false);
    expect(ledger.isGood(503, '{}', poll('a'))).toBe(false);
    expect({
      deliveries: ledger.deliveries,
      duplicates: ledger.duplicates,
      malformed: ledger.malformed,
    }).toEqual({
      deliveries: 2,
      duplicates: 1,
      malformed: 1,
    });
  });

  it('at smoke size measures the yardstick, steps both routes and finds no duplicate', async () => {
    const reportsDir = await mkdtemp(path.join(os.tmpdir(), 'crucible-reports-'));
    let output = '';
    const { summary } = await runScenario(criticalityLoad, {
      size: 'smoke',
      reportsDir,
      out: (s) => (output += s),
    });
    const m = summary.measures;
    // Two shared cores may leave the generator behind (INVALID); correctness never fails.
    expect(['pass', 'invalid'], output).toContain(summary.outcome);
    expect(m.yardstick_rps, output).toBeGreaterThan(0);
    expect(m.deliveries, output).toBeGreaterThan(0);
    expect(m.duplicates, output).toBe(0);
    expect(m.malformed, output).toBe(0);
    // Every measured step is in the result, each with its p99.
    expect(
      Object.keys(m).some((k) => k.startsWith('get_p99_ms_at_')),
      output,
    ).toBe(true);
    expect(
      Object.keys(m).some((k) => k.startsWith('post_p99_ms_at_')),
      output,
    ).toBe(true);
    expect(output).toContain('yardstick: GET /health');
  });
});
