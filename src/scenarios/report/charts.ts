import type { RunSummary, SecondSample } from '../model.js';
import { statusCodes, statusKind } from './statuses.js';

/** Numeric fields of a second that a chart can plot directly. */
export type SampleField =
  'sent' | 'completed' | 'good' | 'p50' | 'p95' | 'p99' | 'max' | 'lagMs' | 'cpuPercent';

export interface SeriesSpec {
  label: string;
  color: string;
  /** A field of each second, or the count of one status code in that second. */
  field?: SampleField;
  status?: string;
  /** `y2` is drawn against a second axis on the right. */
  scale: 'y' | 'y2';
  unit: string;
  dashed?: boolean;
  /** Hidden until the reader clicks its legend entry. */
  hidden?: boolean;
}

export interface ChartSpec {
  id: string;
  title: string;
  note: string;
  yLabel: string;
  y2Label?: string;
  /** Stacked bars (one layer per series) instead of lines. */
  stacked?: boolean;
  series: SeriesSpec[];
  /** Shown instead of the chart when there is nothing to draw. */
  empty?: string;
}

/** What the page embeds as JSON: the timeline itself plus how to draw it. */
export interface ChartData {
  timeline: SecondSample[];
  charts: ChartSpec[];
}

const ERROR_COLORS: Record<string, string[]> = {
  '5': ['#d1242f', '#e16f24', '#a40e26', '#f0883e'],
  '4': ['#8250df', '#bf8700', '#6639ba', '#d4a72c'],
  other: ['#1b7c83', '#57606a', '#0550ae'],
};
const NO_ANSWER_COLOR = '#6e7781';
const REFUSAL_COLORS = ['#0969da', '#54aeff', '#0550ae'];

function errorColor(code: string, used: Map<string, number>): string {
  if (code === '0') return NO_ANSWER_COLOR;
  const family = code.length === 3 && (code[0] === '5' || code[0] === '4') ? code[0] : 'other';
  const palette = ERROR_COLORS[family] ?? ERROR_COLORS.other ?? [];
  const i = used.get(family) ?? 0;
  used.set(family, i + 1);
  return palette[i % palette.length] ?? NO_ANSWER_COLOR;
}

export function statusLabel(code: string): string {
  return code === '0' ? '0 (no answer)' : code;
}

export function chartSpecs(summary: RunSummary): ChartSpec[] {
  const used = new Map<string, number>();
  const codes = statusCodes(summary);
  const errors = codes.filter((code) => statusKind(code, summary) === 'error');
  const refusals = codes.filter((code) => statusKind(code, summary) === 'expected refusal');
  return [
    {
      id: 'chart-throughput',
      title: 'Requests per second',
      note: 'Sent: scheduled in that second. Completed: answered or failed in that second. Good: counted as good for availability.',
      yLabel: 'requests / s',
      series: [
        { label: 'sent', color: '#8c959f', field: 'sent', scale: 'y', unit: ' req/s', dashed: true },
        { label: 'completed', color: '#0969da', field: 'completed', scale: 'y', unit: ' req/s' },
        { label: 'good', color: '#1a7f37', field: 'good', scale: 'y', unit: ' req/s' },
      ],
    },
    {
      id: 'chart-latency',
      title: 'Latency',
      note: 'Percentiles of the answers completed in each second, from the intended send time. Click “max” to show it.',
      yLabel: 'milliseconds',
      series: [
        { label: 'p50', color: '#0969da', field: 'p50', scale: 'y', unit: ' ms' },
        { label: 'p95', color: '#bc4c00', field: 'p95', scale: 'y', unit: ' ms' },
        { label: 'p99', color: '#cf222e', field: 'p99', scale: 'y', unit: ' ms' },
        { label: 'max', color: '#8c959f', field: 'max', scale: 'y', unit: ' ms', dashed: true, hidden: true },
      ],
    },
    {
      id: 'chart-errors',
      title: 'Errors by status',
      note: 'Non-2xx answers the scenario does not expect, and failures with no answer (status 0), stacked per second.',
      yLabel: 'answers / s',
      stacked: true,
      series: errors.map((code) => ({
        label: statusLabel(code),
        color: errorColor(code, used),
        status: code,
        scale: 'y' as const,
        unit: '',
      })),
      ...(errors.length === 0
        ? {
            empty: `No errors: every answer in this run was 2xx${refusals.length ? ' or an expected refusal' : ''}.`,
          }
        : {}),
    },
    ...(summary.expectedRefusals?.length
      ? [
          {
            id: 'chart-refusals',
            title: 'Expected refusals by status',
            note: `Correct answers that refuse (${summary.expectedRefusals.join(', ')}), e.g. sold out: not errors. Stacked per second.`,
            yLabel: 'answers / s',
            stacked: true,
            series: refusals.map((code, i) => ({
              label: code,
              color: REFUSAL_COLORS[i % REFUSAL_COLORS.length]!,
              status: code,
              scale: 'y' as const,
              unit: '',
            })),
            ...(refusals.length === 0 ? { empty: 'No refusals: every answer in this run was 2xx.' } : {}),
          },
        ]
      : []),
    {
      id: 'chart-generator',
      title: 'Load generator health',
      note: 'Lag: how late sends started against their schedule (worst in the second). CPU: percent of one core.',
      yLabel: 'lag (ms)',
      y2Label: 'CPU (%)',
      series: [
        { label: 'lag', color: '#bc4c00', field: 'lagMs', scale: 'y', unit: ' ms' },
        { label: 'CPU', color: '#0969da', field: 'cpuPercent', scale: 'y2', unit: ' %' },
      ],
    },
  ];
}

export function chartData(summary: RunSummary): ChartData {
  return { timeline: summary.result.timeline, charts: chartSpecs(summary) };
}

/**
 * Runs in the page after uPlot: reads the embedded JSON, draws each chart into its
 * `<div id=…>`, keeps the charts as wide as their boxes, and syncs the cursor across them.
 */
export const CHART_SCRIPT = String.raw`
(function () {
  'use strict';
  var source = document.getElementById('crucible-data');
  if (!source || typeof uPlot === 'undefined') return;
  var data = JSON.parse(source.textContent);
  var timeline = data.timeline;
  var css = getComputedStyle(document.documentElement);
  function v(name) { return css.getPropertyValue(name).trim(); }
  var ink = v('--muted') || '#57606a';
  var grid = v('--grid') || 'rgba(0,0,0,.08)';
  var font = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  var labelFont = '600 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  var HEIGHT = 240;
  // Whole seconds on the x axis, at steps a reader counts in.
  var SECOND_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

  function fmt(x) {
    if (x == null || !isFinite(x)) return '--';
    var a = Math.abs(x);
    if (a >= 100 || x === Math.round(x)) return Math.round(x).toLocaleString('en-US');
    return x.toFixed(a >= 10 ? 1 : 2);
  }
  function pick(s, spec) {
    if (spec.status != null) return (s.byStatus && s.byStatus[spec.status]) || 0;
    var x = s[spec.field];
    return typeof x === 'number' && isFinite(x) ? x : null;
  }
  function fromZero(u, min, max) {
    if (!(max > 0)) max = 1;
    return [0, uPlot.rangeNum(0, max, 0.1, true)[1]];
  }
  function axis(label, extra) {
    var a = {
      label: label, stroke: ink, font: font, labelFont: labelFont,
      grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 },
    };
    for (var k in extra) a[k] = extra[k];
    return a;
  }
  function showEmpty(host, text) {
    var p = document.createElement('p');
    p.className = 'chart-empty';
    p.textContent = text;
    host.appendChild(p);
  }

  var xs = timeline.map(function (s) { return s.t; });
  var drawn = 0;
  data.charts.forEach(function (chart) {
    var host = document.getElementById(chart.id);
    if (!host) return;
    if (chart.empty || chart.series.length === 0) return showEmpty(host, chart.empty || 'Nothing to show.');
    if (timeline.length === 0) return showEmpty(host, 'The run recorded no seconds.');

    var raw = chart.series.map(function (spec) { return timeline.map(function (s) { return pick(s, spec); }); });
    var specs = chart.series.slice();
    var cols = raw.slice();
    if (chart.stacked) {
      // Layer i holds the sum of series 0..i; drawing the tallest layer first stacks the bars.
      var sum = xs.map(function () { return 0; });
      cols = raw.map(function (col) { sum = sum.map(function (acc, i) { return acc + (col[i] || 0); }); return sum; });
      specs.reverse(); cols.reverse(); raw = raw.slice().reverse();
    }
    var bars = chart.stacked ? uPlot.paths.bars({ size: [0.8, 48], gap: 1 }) : null;

    var series = [{
      label: 'second',
      value: function (u, x) { return x == null ? '--' : x + ' s'; },
    }];
    specs.forEach(function (spec, i) {
      series.push({
        label: spec.label,
        scale: spec.scale,
        show: !spec.hidden,
        stroke: spec.color,
        width: chart.stacked ? 0 : 2,
        fill: chart.stacked ? spec.color : undefined,
        dash: spec.dashed ? [6, 4] : undefined,
        paths: bars || undefined,
        points: { show: false },
        spanGaps: false,
        value: function (u, _, si, idx) {
          var x = idx == null ? null : raw[i][idx];
          return x == null ? '--' : fmt(x) + spec.unit;
        },
      });
    });

    var scales = { x: { time: false }, y: { range: fromZero } };
    var axes = [axis('seconds since start', { incrs: SECOND_STEPS }), axis(chart.yLabel, { size: 60 })];
    if (chart.y2Label) {
      scales.y2 = { range: fromZero };
      axes.push(axis(chart.y2Label, { scale: 'y2', side: 1, size: 60, grid: { show: false } }));
    }
    var width = function () { return Math.max(280, Math.floor(host.clientWidth)); };
    var plot = new uPlot({
      width: width(), height: HEIGHT, scales: scales, axes: axes, series: series,
      cursor: { sync: { key: 'crucible' }, points: { size: 6 } },
      legend: { live: true },
      hooks: {
        // Legend values only while the cursor is on a second (in any chart: cursors are synced).
        setCursor: [function (u) { host.classList.toggle('hovering', u.cursor.idx != null); }],
      },
    }, [xs].concat(cols), host);
    drawn++;
    if (typeof ResizeObserver !== 'undefined') {
      var last = width();
      new ResizeObserver(function () {
        var w = width();
        if (w !== last) { last = w; plot.setSize({ width: w, height: HEIGHT }); }
      }).observe(host);
    }
  });
  // For headless capture tools: how many charts were drawn and how tall the page is once
  // uPlot has sized them (it commits sizes in a microtask, hence the timeout).
  setTimeout(function () {
    var root = document.documentElement;
    root.setAttribute('data-charts-drawn', String(drawn));
    root.setAttribute('data-page-height', String(Math.ceil(document.body.getBoundingClientRect().height)));
  }, 0);
})();
`;
