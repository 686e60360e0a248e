import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/scenarios/model.js';
import { escapeHtml, jsonForScript } from '../../src/scenarios/report/escape.js';
import { renderHtml, timelineCsv, writeReport } from '../../src/scenarios/report/write.js';
import { buildSampleSummary } from './report-fixture.js';

const INJECTION = '<script>alert(1)</script>';
const require = createRequire(import.meta.url);

function embeddedData(html: string): {
  timeline: unknown;
  charts: { id: string; series: { status?: string }[] }[];
} {
  const match = /<script type="application\/json" id="crucible-data">([\s\S]*?)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match?.[1] ?? 'null') as ReturnType<typeof embeddedData>;
}

describe('scenario report', () => {
  let dir: string;
  let summary: RunSummary;
  let paths: { html: string; json: string; csv: string };
  let html: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-report-test-'));
    summary = buildSampleSummary({ description: `Orders at 200/s. ${INJECTION} Never oversell.` });
    paths = await writeReport(path.join(dir, 'nested', 'run-1'), summary);
    html = await readFile(paths.html, 'utf8');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes report.html, summary.json and timeline.csv into a new directory', async () => {
    const target = path.join(dir, 'nested', 'run-1');
    expect(paths).toEqual({
      html: path.join(target, 'report.html'),
      json: path.join(target, 'summary.json'),
      csv: path.join(target, 'timeline.csv'),
    });
    for (const file of Object.values(paths)) expect((await stat(file)).size).toBeGreaterThan(0);
  });

  it('summary.json is the summary, pretty-printed, and round-trips', async () => {
    const text = await readFile(paths.json, 'utf8');
    expect(text).toBe(JSON.stringify(summary, null, 2));
    expect(JSON.parse(text)).toEqual(summary);
  });

  it('timeline.csv has a header and one row per second with a column per status seen', async () => {
    const text = await readFile(paths.csv, 'utf8');
    expect(text).toBe(timelineCsv(summary));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(
      't,sent,completed,good,p50_ms,p95_ms,p99_ms,max_ms,lag_ms,cpu_percent,status_201,status_409,status_503,status_0',
    );
    expect(lines).toHaveLength(1 + summary.result.timeline.length);
    expect(lines).toHaveLength(31);

    const header = (lines[0] ?? '').split(',');
    const rows = lines
      .slice(1)
      .map((line) => Object.fromEntries(line.split(',').map((v, i) => [header[i], v])));
    summary.result.timeline.forEach((s, i) => {
      const row = rows[i] ?? {};
      expect(Number(row.t)).toBe(s.t);
      expect(Number(row.sent)).toBe(s.sent);
      expect(Number(row.completed)).toBe(s.completed);
      expect(Number(row.good)).toBe(s.good);
      expect(Number(row.p99_ms)).toBe(s.p99);
      expect(Number(row.lag_ms)).toBe(s.lagMs);
      expect(Number(row.cpu_percent)).toBe(s.cpuPercent);
      for (const code of ['201', '409', '503', '0'])
        expect(Number(row[`status_${code}`])).toBe(s.byStatus[code] ?? 0);
    });
    // The spike second: 35 shed with 503, 3 without an answer, p99 at its peak.
    const peak = rows[14] ?? {};
    expect(peak).toMatchObject({
      t: '14',
      status_503: '35',
      status_0: '3',
      status_409: '0',
      p99_ms: '819.44',
    });
  });

  it('shows the verdict, every criterion and the six parts', () => {
    expect(html).toMatch(/<div class="verdict fail"[^>]*>\s*<span class="word">FAIL<\/span>/);
    expect(html).toContain('2 of 5 criteria failed.');
    for (const v of summary.verdicts) {
      expect(html).toContain(`<td>${escapeHtml(v.criterion)}</td>`);
      expect(html).toContain(escapeHtml(v.actual));
    }
    for (const [label, text] of [
      ['Source', summary.sixParts.source],
      ['Stimulus', summary.sixParts.stimulus],
      ['Environment', summary.sixParts.environment],
      ['Artifact', summary.sixParts.artifact],
      ['Response', summary.sixParts.response],
      ['Response measure', summary.sixParts.responseMeasure],
    ]) {
      expect(html).toContain(`<dt>${label}</dt><dd>${escapeHtml(text)}</dd>`);
    }
  });

  it('shows the summary figures, workload, environment, generator and the rerun command', () => {
    expect(html).toContain(`${(summary.availability * 100).toFixed(4)} %`);
    expect(html).toContain(escapeHtml(summary.availabilityDefinition));
    expect(html).toContain('5,619');
    expect(html).toContain('187.3 req/s');
    for (const key of Object.keys(summary.measures)) expect(html).toContain(`<code>${key}</code>`);
    expect(html).toContain('Service Unavailable');
    expect(html).toContain('40 → 200');
    expect(html).toContain('AMD EPYC 7763 64-Core Processor');
    expect(html).toContain(
      '480 ms on one core alone, 873 ms with 2 at once (each at 55 % of its speed alone)',
    );
    expect(html).toContain('<code>npx crucible scenario run shop-checkout-spike</code>');
    for (const id of ['chart-throughput', 'chart-latency', 'chart-errors', 'chart-generator']) {
      expect(html).toContain(`id="${id}"`);
    }
  });

  it('is self-contained: uPlot inlined, no external URL in any script, link or image', async () => {
    const js = await readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
    const css = await readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
    expect(html).toContain(`<script>${js}</script>`);
    expect(html).toContain(`<style>${css}</style>`);

    const tags = html.match(/<(script|link|img|iframe|source|object|embed)\b[^>]*>/gi) ?? [];
    expect(tags.length).toBeGreaterThanOrEqual(3);
    for (const tag of tags) expect(tag).not.toMatch(/\b(src|href|data)\s*=/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?(https?:)?\/\//i);
    expect(html).toContain(`http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;`);
  });

  it('escapes strings from the summary', () => {
    expect(html).not.toContain(INJECTION);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.match(/<script\b/g)).toHaveLength(3);

    const hostile = renderHtml(
      buildSampleSummary({
        title: '"><img src=x onerror=alert(1)>',
        scenario: "x'; rm -rf /",
        measures: { '<b>k</b>': '<i>v</i>' },
        verdicts: [{ criterion: '<svg onload=alert(1)>', actual: '&amp;', pass: true, detail: '</td></tr>' }],
      }),
    );
    expect(hostile).not.toContain('<img src=x');
    expect(hostile).not.toContain('<svg onload');
    expect(hostile).not.toContain('<b>k</b>');
    expect(hostile).toContain('&lt;svg onload=alert(1)&gt;');
    expect(hostile).toContain('&amp;amp;');
    expect(hostile).toContain('npx crucible scenario run &#39;x&#39;\\&#39;&#39;; rm -rf /&#39;');
  });

  it('embeds the timeline as JSON that parses back, safe inside a script element', () => {
    const data = embeddedData(html);
    expect(data.timeline).toEqual(summary.result.timeline);
    expect(data.charts.map((c) => c.id)).toEqual([
      'chart-throughput',
      'chart-latency',
      'chart-errors',
      'chart-refusals',
      'chart-generator',
    ]);

    const tricky = { s: '</script><!-- <script>&\u2028' };
    const json = jsonForScript(tricky);
    expect(json).not.toMatch(/<\/script|<!--|<|>/i);
    expect(JSON.parse(json)).toEqual(tricky);
  });

  it('marks an invalid run amber with the reason, and describes a closed smoke workload', () => {
    const base = buildSampleSummary();
    const page = renderHtml(
      buildSampleSummary({
        outcome: 'invalid',
        size: 'smoke',
        workload: { model: 'closed', users: 50, durationS: 60, thinkMs: [200, 800], rampUpS: 10 },
        result: {
          ...base.result,
          generator: {
            maxLagMs: 410,
            p99LagMs: 230,
            cpuPercent: 99.5,
            saturated: true,
            reason: 'lag p99 230 ms',
          },
        },
      }),
    );
    expect(page).toMatch(/<div class="verdict invalid"[^>]*>\s*<span class="word">INVALID<\/span>/);
    expect(page).toContain('this run proves nothing');
    expect(page).toContain('(lag p99 230 ms)');
    expect(page).toContain('<tr><th>Virtual users</th><td>50</td></tr>');
    expect(page).toContain('<tr><th>Think time</th><td>200–800 ms</td></tr>');
    expect(page).toContain('<code>npx crucible scenario run shop-checkout-spike --size smoke</code>');
  });

  it('shows the refusals a scenario expects (a sold-out 409) apart from errors, in the charts and the table', () => {
    const charts = embeddedData(html).charts;
    const statuses = (id: string) => charts.find((c) => c.id === id)?.series.map((s) => s.status);
    expect(statuses('chart-errors')).toEqual(['503', '0']);
    expect(statuses('chart-refusals')).toEqual(['409']);
    expect(html).toMatch(
      /<code>409<\/code><\/th><td class="muted">Conflict[^<]*<\/td><td>expected refusal<\/td>/,
    );
    expect(html).toMatch(
      /<code>503<\/code><\/th><td class="muted">[^<]*(<br><code[^>]*>[^<]*<\/code>)?<\/td><td>error<\/td>/,
    );

    const undeclared = buildSampleSummary({ expectedRefusals: [] });
    const page = embeddedData(renderHtml(undeclared)).charts;
    expect(page.find((c) => c.id === 'chart-errors')?.series.map((s) => s.status)).toEqual([
      '409',
      '503',
      '0',
    ]);
    expect(page.find((c) => c.id === 'chart-refusals')).toBeUndefined();
  });

  it('says so instead of drawing an empty error chart when every answer was 2xx', () => {
    const base = buildSampleSummary();
    const timeline = base.result.timeline.map((s) => ({ ...s, byStatus: { '200': s.completed } }));
    const clean = buildSampleSummary({
      result: { ...base.result, timeline, byStatus: { '200': base.result.requests } },
    });
    const errors = embeddedData(renderHtml(clean)).charts.find((c) => c.id === 'chart-errors');
    expect(errors).toMatchObject({ series: [], empty: expect.stringContaining('No errors') });
    expect(timelineCsv(clean).split('\n')[0]).toMatch(/,cpu_percent,status_200$/);
  });
});
