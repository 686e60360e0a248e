import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Environment, LoadResult, RunSummary, Verdict, Workload } from '../model.js';
import { describeCpuCheck } from '../cpu-check.js';
import { uplotAssets } from './assets.js';
import { CHART_SCRIPT, chartData } from './charts.js';
import { assertInlineSafe, escapeHtml as esc, jsonForScript, shellWord } from './escape.js';
import { duration, fixed, int, ms, msValue, num, percent, timestamp, yesNo } from './format.js';
import { sortStatuses, statusKind } from './statuses.js';
import { STYLE } from './style.js';

const OUTCOME_WORD = { pass: 'PASS', fail: 'FAIL', invalid: 'INVALID' } as const;

/** The command that reruns this scenario at the same size. */
export function rerunCommand(summary: RunSummary): string {
  const size = summary.size === 'smoke' ? ' --size smoke' : '';
  return `npx crucible scenario run ${shellWord(summary.scenario)}${size}`;
}

function sha256(code: string): string {
  return `'sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}'`;
}

function paragraphs(text: string, cls = ''): string {
  const attr = cls ? ` class="${cls}"` : '';
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => `<p${attr}>${esc(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

function verdictWhy(summary: RunSummary): string {
  const failed = summary.verdicts.filter((v) => !v.pass).length;
  const total = summary.verdicts.length;
  switch (summary.outcome) {
    case 'pass':
      return total === 1 ? 'The criterion was met.' : `All ${total} criteria were met.`;
    case 'fail':
      return `${failed} of ${total} ${total === 1 ? 'criterion' : 'criteria'} failed.`;
    case 'invalid':
      return 'The load generator could not keep up: this run proves nothing.';
  }
}

function header(summary: RunSummary): string {
  const r = summary.result;
  const commit = summary.environment.commit;
  return `<header class="top">
  <div>
    <div class="kicker">Crucible scenario report</div>
    <h1>${esc(summary.title)}</h1>
    <div class="description">${paragraphs(summary.description)}</div>
    <div class="meta">
      <span>Scenario <b><code>${esc(summary.scenario)}</code></b></span>
      <span>Size <b>${esc(summary.size)}</b></span>
      <span>Started <b><time datetime="${esc(r.startedAt)}">${esc(timestamp(r.startedAt))}</time></b></span>
      <span>Duration <b>${esc(duration(r.durationS))}</b></span>${commit ? `\n      <span>Commit <b><code>${esc(commit)}</code></b></span>` : ''}
    </div>
  </div>
  <div class="verdict ${summary.outcome}" role="status" aria-label="Outcome: ${OUTCOME_WORD[summary.outcome]}">
    <span class="word">${OUTCOME_WORD[summary.outcome]}</span>
    <span class="why">${esc(verdictWhy(summary))}</span>
  </div>
</header>`;
}

function verdictRow(v: Verdict): string {
  return `<tr${v.pass ? '' : ' class="failed"'}>
  <td>${esc(v.criterion)}</td>
  <td class="num">${esc(v.actual)}</td>
  <td><span class="pill ${v.pass ? 'pass' : 'fail'}">${v.pass ? '✓ pass' : '✗ fail'}</span></td>
  <td>${v.detail ? esc(v.detail) : '<span class="muted">—</span>'}</td>
</tr>`;
}

function verdicts(summary: RunSummary): string {
  const g = summary.result.generator;
  const callout =
    summary.outcome === 'invalid'
      ? `<p class="callout invalid"><b>Invalid run.</b> The load generator fell behind its schedule${
          g.reason ? ` (${esc(g.reason)})` : ''
        }, so the server was not offered the intended load. The criteria below are shown for reference only; rerun on a machine with more headroom.</p>`
      : '';
  const rows = summary.verdicts.length
    ? summary.verdicts.map(verdictRow).join('\n')
    : '<tr><td colspan="4" class="muted">This scenario declares no criteria.</td></tr>';
  return `<section class="card" id="verdicts">
<h2>Verdicts</h2>
${callout}
<table class="verdicts">
<thead><tr><th>Criterion</th><th class="num">Actual</th><th>Result</th><th>Detail</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</section>`;
}

function sixParts(summary: RunSummary): string {
  const p = summary.sixParts;
  const parts: [string, string][] = [
    ['Source', p.source],
    ['Stimulus', p.stimulus],
    ['Environment', p.environment],
    ['Artifact', p.artifact],
    ['Response', p.response],
    ['Response measure', p.responseMeasure],
  ];
  return `<section class="card" id="scenario">
<h2>Quality-attribute scenario</h2>
<dl class="six">
${parts.map(([k, v]) => `<dt>${k}</dt><dd>${esc(v)}</dd>`).join('\n')}
</dl>
</section>`;
}

function statusTable(r: LoadResult, summary: RunSummary): string {
  const codes = Object.keys(r.byStatus);
  const total = codes.reduce((n, c) => n + (r.byStatus[c] ?? 0), 0);
  const order = sortStatuses(codes);
  const rows = order.map((code) => {
    const count = r.byStatus[code] ?? 0;
    const meaning = code === '0' ? 'no answer (refused, reset, timed out)' : (STATUS_CODES[code] ?? '');
    // What the server said, the first time it answered this status: the cause, not just the count.
    const said = r.samples?.[code];
    const sample = said ? `<br><code class="sample">${esc(said.slice(0, 300))}</code>` : '';
    return `<tr><th><code>${esc(code)}</code></th><td class="muted">${esc(meaning)}${sample}</td><td>${statusKind(code, summary)}</td><td class="num">${int(count)}</td><td class="num">${total ? percent(count / total, 2) : '—'}</td></tr>`;
  });
  return `<table>
<thead><tr><th>Status</th><th>Meaning</th><th>Kind</th><th class="num">Count</th><th class="num">Share</th></tr></thead>
<tbody>
${rows.length ? rows.join('\n') : '<tr><td colspan="5" class="muted">No answers recorded.</td></tr>'}
</tbody>
</table>`;
}

function measureValue(v: number | string | boolean): string {
  if (typeof v === 'number') return `<td class="num">${esc(num(v))}</td>`;
  if (typeof v === 'boolean') return `<td>${yesNo(v)}</td>`;
  return `<td>${esc(v)}</td>`;
}

function measuresTable(summary: RunSummary): string {
  const entries = Object.entries(summary.measures);
  return `<table class="kv">
<thead><tr><th>Measure</th><th>Value</th></tr></thead>
<tbody>
${
  entries.length
    ? entries.map(([k, v]) => `<tr><th><code>${esc(k)}</code></th>${measureValue(v)}</tr>`).join('\n')
    : '<tr><td colspan="2" class="muted">This scenario records no extra measures.</td></tr>'
}
</tbody>
</table>`;
}

function summarySection(summary: RunSummary): string {
  const r = summary.result;
  const l = r.latency;
  const tiles: [string, string][] = [
    ['Requests', int(r.requests)],
    ['Availability', percent(summary.availability, 4)],
    ['Error rate', percent(summary.errorRate, 4)],
    ['Throughput', `${fixed(summary.throughput, 1)} req/s`],
    ['p99 latency', ms(l.p99)],
  ];
  const latency: [string, number][] = [
    ['mean', l.mean],
    ['p50', l.p50],
    ['p90', l.p90],
    ['p95', l.p95],
    ['p99', l.p99],
    ['p99.9', l.p999],
    ['max', l.max],
  ];
  return `<section class="card" id="summary">
<h2>Summary</h2>
<div class="tiles">
${tiles.map(([k, v]) => `<div class="tile"><div class="label">${k}</div><div class="value">${esc(v)}</div></div>`).join('\n')}
</div>
<div class="cols">
<div>
<h3>Requests</h3>
<table class="kv">
<tbody>
<tr><th>Requests</th><td class="num">${int(r.requests)}</td></tr>
<tr><th>Good</th><td class="num">${int(r.good)}</td></tr>
<tr><th>Availability</th><td class="num">${percent(summary.availability, 4)}<span class="def">${esc(summary.availabilityDefinition)}</span></td></tr>
<tr><th>Error rate</th><td class="num">${percent(summary.errorRate, 4)}</td></tr>
<tr><th>Throughput</th><td class="num">${fixed(summary.throughput, 1)} req/s</td></tr>
</tbody>
</table>
</div>
<div>
<h3>Latency (ms)</h3>
<table>
<thead><tr>${latency.map(([k]) => `<th class="num">${k}</th>`).join('')}</tr></thead>
<tbody><tr>${latency.map(([, v]) => `<td class="num">${esc(msValue(v))}</td>`).join('')}</tr></tbody>
</table>
<p class="small muted note">From the intended send time, so a stalled server cannot hide its queue (no coordinated omission).</p>
</div>
<div>
<h3>Status codes</h3>
${statusTable(r, summary)}
</div>
<div>
<h3>Scenario measures</h3>
${measuresTable(summary)}
</div>
</div>
</section>`;
}

function chartsSection(summary: RunSummary): string {
  const figures = chartData(summary)
    .charts.map(
      (c) => `<figure class="chart">
<figcaption><h3>${esc(c.title)}</h3><span class="small muted">${esc(c.note)}</span></figcaption>
<div class="plot" id="${esc(c.id)}"></div>
</figure>`,
    )
    .join('\n');
  return `<section class="card" id="charts">
<h2>Over time</h2>
<p class="small muted">One point per second. Hover a chart to read every chart at that second; click a legend entry to hide or show it.</p>
<noscript><p class="callout fail">The charts need JavaScript. The same data is in <code>timeline.csv</code> next to this page.</p></noscript>
<div class="charts">
${figures}
</div>
</section>`;
}

function workloadTable(w: Workload): string {
  if (w.model === 'closed') {
    const rows: [string, string][] = [
      ['Model', 'closed: each virtual user sends, waits for the answer, thinks, and sends again'],
      ['Virtual users', int(w.users)],
      ['Duration', duration(w.durationS)],
      ['Think time', `${num(w.thinkMs[0])}–${num(w.thinkMs[1])} ms`],
      ['Ramp-up', w.rampUpS === undefined ? 'none' : duration(w.rampUpS)],
      ...(w.requestsPerUser === undefined
        ? []
        : ([['Requests per user', `${int(w.requestsPerUser)} (the duration is then an upper bound)`]] as [
            string,
            string,
          ][])),
    ];
    return `<table class="kv"><tbody>
${rows.map(([k, v]) => `<tr><th>${k}</th><td>${esc(v)}</td></tr>`).join('\n')}
</tbody></table>`;
  }
  let start = 0;
  let planned = 0;
  const rows = w.stages.map((s, i) => {
    const from = start;
    start += s.durationS;
    planned += ((s.rate + (s.rampTo ?? s.rate)) / 2) * s.durationS;
    const rate = s.rampTo === undefined ? num(s.rate) : `${num(s.rate)} → ${num(s.rampTo)}`;
    return `<tr><td class="num">${i + 1}</td><td class="num">${num(from)} s</td><td class="num">${esc(duration(s.durationS))}</td><td class="num">${esc(rate)}</td></tr>`;
  });
  return `<p class="small muted">Open model: sends follow the schedule whatever the server does. ${
    w.maxInFlight === undefined
      ? 'No cap on requests in flight.'
      : `At most ${int(w.maxInFlight)} requests in flight.`
  } Planned ≈ ${int(planned)} requests over ${esc(duration(start))}.</p>
<table>
<thead><tr><th class="num">Stage</th><th class="num">Starts at</th><th class="num">Duration</th><th class="num">Rate (req/s)</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

function environmentTable(e: Environment): string {
  const rows: [string, string][] = [
    ['Machine', e.machine],
    ['Cores', int(e.cpus)],
    ['CPU model', e.cpuModel],
    ['Memory', `${num(e.memoryGiB)} GiB`],
    ['Node', e.node],
    ['PostgreSQL', e.postgres ?? '—'],
    ['Commit', e.commit ?? '—'],
    ['Target', e.target],
    ['CPU check', e.cpuCheck ? describeCpuCheck(e.cpuCheck) : '—'],
  ];
  const shared = e.sharedCores
    ? '<span class="pill warn">yes</span> <span class="small muted">they competed for the same cores: latency includes that contention</span>'
    : '<span class="pill pass">no</span> <span class="small muted">separate cores</span>';
  return `<table class="kv"><tbody>
${rows.map(([k, v]) => `<tr><th>${k}</th><td>${esc(v)}</td></tr>`).join('\n')}
<tr><th>Cores shared with server</th><td>${shared}</td></tr>
</tbody></table>`;
}

function generatorTable(r: LoadResult): string {
  const g = r.generator;
  const saturated = g.saturated
    ? `<span class="pill warn">yes</span> <span class="small">${esc(g.reason ?? 'fell behind its schedule')}</span>`
    : '<span class="pill pass">no</span> <span class="small muted">kept up with its schedule</span>';
  return `<table class="kv"><tbody>
<tr><th>Max lag</th><td>${esc(ms(g.maxLagMs))}</td></tr>
<tr><th>p99 lag</th><td>${esc(ms(g.p99LagMs))}</td></tr>
<tr><th>CPU</th><td>${esc(fixed(g.cpuPercent, 1))} % <span class="small muted">of one core</span></td></tr>
<tr><th>Saturated</th><td>${saturated}</td></tr>
</tbody></table>
<p class="small muted note">A generator that falls behind its schedule offers less load than asked; such a run is marked INVALID.</p>`;
}

function setupSection(summary: RunSummary): string {
  return `<section class="card" id="setup">
<div class="cols">
<div class="stack">
<div>
<h2>Workload</h2>
${workloadTable(summary.workload)}
</div>
<div>
<h2>Load generator</h2>
${generatorTable(summary.result)}
</div>
</div>
<div>
<h2>Environment</h2>
${environmentTable(summary.environment)}
</div>
</div>
</section>`;
}

function footer(summary: RunSummary): string {
  return `<footer>
<p>Rerun this scenario: <code>${esc(rerunCommand(summary))}</code></p>
<p>Generated by Crucible from <code>summary.json</code>; the per-second data is in <code>timeline.csv</code>. This page makes no network requests.</p>
</footer>`;
}

/** The whole report as one self-contained HTML page: styles, uPlot, data and chart code inline. */
export function renderHtml(summary: RunSummary): string {
  const { uplotJs, uplotCss } = uplotAssets();
  const chartScript = assertInlineSafe(CHART_SCRIPT, 'chart script');
  // Only these two scripts may run; nothing may be fetched.
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(uplotJs)} ${sha256(chartScript)}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="generator" content="Crucible">
<title>${esc(`${OUTCOME_WORD[summary.outcome]} · ${summary.title} · Crucible`)}</title>
<style>${uplotCss}</style>
<style>${STYLE}</style>
</head>
<body>
<main>
${header(summary)}
${verdicts(summary)}
${sixParts(summary)}
${summarySection(summary)}
${chartsSection(summary)}
${setupSection(summary)}
</main>
${footer(summary)}
<script type="application/json" id="crucible-data">${jsonForScript(chartData(summary))}</script>
<script>${uplotJs}</script>
<script>${chartScript}</script>
</body>
</html>
`;
}
