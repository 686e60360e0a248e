import { describe, expect, it } from 'vitest';
import { shopConsistency } from '../../src/scenarios/catalog/shop-consistency.js';
import { shopPeak } from '../../src/scenarios/catalog/shop-peak.js';
import { scorecardMarkdown } from '../../src/scenarios/scorecard.js';
import { buildSampleSummary } from './report-fixture.js';

describe('scorecard', () => {
  it('has one line per scenario with its measure, target, result and verdict, then every criterion', () => {
    const summary = buildSampleSummary({
      outcome: 'pass',
      verdicts: [
        { criterion: 'sold == 500', actual: '500', pass: true },
        { criterion: 'consistent == 1', actual: '1', pass: true },
      ],
    });
    const md = scorecardMarkdown([
      { scenario: shopConsistency(), completed: { summary, reportDir: '/r/shop.consistency/2026' } },
      { scenario: shopPeak(), error: 'the server did not start' },
      { scenario: shopPeak('grouped'), skipped: 'nginx is not installed (apt-get install nginx-light)' },
    ]);
    const lines = md.split('\n');
    expect(lines).toContain(
      '| shop.consistency | 90 clients × 120 s: 47.94 req/s, mean 1.81 s, 500 sold, 0 failed | sold | `sold == 500` | 500 | PASS |',
    );
    expect(md).toMatch(
      /\| shop\.peak \| .* \| highest_rate_held \| — \| the server did not start \| ERROR \|/,
    );
    expect(md).toContain('| `consistent == 1` | 1 | PASS | [report](shop.consistency/2026/report.html) |');
    expect(md).toMatch(
      /\| shop\.peak\.grouped \| .* \| highest_rate_held \| — \| nginx is not installed \(apt-get install nginx-light\) \| SKIPPED \|/,
    );
    expect(md).toContain(
      '| — | not run here: nginx is not installed (apt-get install nginx-light) | SKIPPED | — |',
    );
  });
});
