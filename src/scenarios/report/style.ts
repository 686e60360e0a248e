/** The page's stylesheet: system fonts, a readable width, light by default, dark on request. */
export const STYLE = `
:root {
  color-scheme: light dark;
  --bg: #f6f7f9; --card: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d8dee4; --soft: #eef1f4;
  --grid: rgba(31, 35, 40, 0.08); --code: #eff2f5;
  --pass: #1a7f37; --pass-soft: #dafbe1;
  --fail: #cf222e; --fail-soft: #ffebe9;
  --invalid: #9a6700; --invalid-soft: #fff8c5; --invalid-strong: #d4a72c;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --card: #151b23; --fg: #e6edf3; --muted: #9198a1; --line: #30363d; --soft: #1c232c;
    --grid: rgba(230, 237, 243, 0.09); --code: #1f2630;
    --pass: #3fb950; --pass-soft: rgba(46, 160, 67, 0.16);
    --fail: #f85149; --fail-soft: rgba(248, 81, 73, 0.14);
    --invalid: #d29922; --invalid-soft: rgba(187, 128, 9, 0.16); --invalid-strong: #bb8009;
  }
  .u-legend { color: var(--fg); }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", Arial, sans-serif;
}
main { max-width: 1140px; margin: 0 auto; padding: 32px 24px 24px; }
h1, h2, h3 { line-height: 1.25; margin: 0; }
h1 { font-size: 28px; font-weight: 700; letter-spacing: -0.01em; }
h2 { font-size: 19px; font-weight: 650; margin-bottom: 14px; }
h3 { font-size: 15px; font-weight: 650; }
p { margin: 0 0 10px; }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  background: var(--code); padding: 1px 6px; border-radius: 5px; }
code.sample { display: inline-block; margin-top: 4px; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 12px; }
.muted { color: var(--muted); }
.note { margin-top: 8px; }
.small { font-size: 13px; }

header.top { display: flex; gap: 24px; align-items: flex-start; justify-content: space-between; margin-bottom: 20px; }
header.top .kicker { font-size: 13px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.08em; color: var(--muted); margin-bottom: 6px; }
header.top .description { margin-top: 10px; max-width: 72ch; color: var(--fg); }
.meta { display: flex; flex-wrap: wrap; gap: 6px 18px; margin-top: 12px; color: var(--muted); font-size: 14px; }
.meta b { color: var(--fg); font-weight: 600; }
.verdict { flex: none; text-align: center; border-radius: 14px; padding: 14px 22px 12px; min-width: 190px; border: 2px solid; }
.verdict .word { display: block; font-size: 38px; font-weight: 800; letter-spacing: 0.06em; line-height: 1.1; }
.verdict .why { display: block; font-size: 13px; margin-top: 4px; max-width: 220px; }
.verdict.pass { color: var(--pass); background: var(--pass-soft); border-color: var(--pass); }
.verdict.fail { color: var(--fail); background: var(--fail-soft); border-color: var(--fail); }
.verdict.invalid { color: var(--invalid); background: var(--invalid-soft); border-color: var(--invalid-strong); }

section.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 20px 24px 22px; margin: 0 0 18px; }
.cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(400px, 1fr)); gap: 26px 36px; align-items: start; }
.cols > * { min-width: 0; }
.cols h3 { margin-bottom: 6px; }
.stack > * + * { margin-top: 26px; }
.callout { border-radius: 8px; padding: 10px 14px; margin: 0 0 14px; font-size: 14px; }
.callout.invalid { background: var(--invalid-soft); border-left: 4px solid var(--invalid-strong); }
.callout.fail { background: var(--fail-soft); border-left: 4px solid var(--fail); }

table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-size: 12px; font-weight: 650; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); border-bottom-width: 2px; }
tbody th { font-weight: 600; }
tbody tr:last-child > * { border-bottom: none; }
td.num, th.num { text-align: right; white-space: nowrap; }
table.kv th { width: 1%; white-space: nowrap; padding-right: 28px; font-weight: 500; color: var(--muted); }
table.kv thead th { font-weight: 650; color: var(--muted); }
table.kv td { font-weight: 600; }
table.kv td.num { text-align: left; }
table.kv td .small, table.kv td.muted { font-weight: 400; }
.def { display: block; white-space: normal; font-weight: 400; font-size: 13px; color: var(--muted); margin-top: 3px; }
tr.failed { background: var(--fail-soft); }
.pill { display: inline-block; font-size: 12px; font-weight: 700; letter-spacing: 0.04em; text-transform: uppercase;
  padding: 2px 9px; border-radius: 999px; white-space: nowrap; }
.pill.pass { color: var(--pass); background: var(--pass-soft); }
.pill.fail { color: #fff; background: var(--fail); }
.pill.warn { color: var(--invalid); background: var(--invalid-soft); }
.verdicts td:nth-child(3) { width: 1%; }
.verdicts td:first-child { font-weight: 600; }

dl.six { display: grid; grid-template-columns: minmax(140px, 190px) 1fr; margin: 0; }
dl.six dt, dl.six dd { padding: 9px 0; border-bottom: 1px solid var(--line); margin: 0; }
dl.six dt { font-weight: 650; color: var(--muted); padding-right: 16px; }
dl.six dt:last-of-type, dl.six dd:last-of-type { border-bottom: none; }

.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(175px, 1fr)); gap: 12px; margin-bottom: 18px; }
.tile { background: var(--soft); border-radius: 10px; padding: 12px 14px; }
.tile .label { font-size: 12px; font-weight: 650; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); }
.tile .value { font-size: 24px; font-weight: 700; font-variant-numeric: tabular-nums; margin-top: 2px; white-space: nowrap; }

.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 22px 28px; }
figure.chart { margin: 0; min-width: 0; }
figure.chart figcaption { margin-bottom: 8px; }
figure.chart figcaption .small { display: block; margin-top: 2px; }
.plot { width: 100%; min-height: 60px; }
.chart-empty { display: flex; align-items: center; justify-content: center; height: 180px; margin: 0;
  border: 1px dashed var(--line); border-radius: 8px; color: var(--muted); }
.uplot { font-family: inherit; }
.u-legend { font-size: 13px; width: auto; }
.u-legend th, .u-legend td { border: none; padding: 2px 4px; }
.plot:not(.hovering) .u-legend .u-series:first-child { display: none; }
.plot:not(.hovering) .u-legend .u-value { display: none; }
.plot:not(.hovering) .u-inline.u-live th::after { content: none; }
.u-legend .u-marker { border-radius: 2px; }

footer { max-width: 1140px; margin: 0 auto; padding: 4px 24px 40px; color: var(--muted); font-size: 14px; }
footer code { color: var(--fg); }
@media (max-width: 640px) {
  header.top { flex-direction: column; }
  dl.six { grid-template-columns: 1fr; }
  dl.six dt { border-bottom: none; padding-bottom: 0; }
  .charts { grid-template-columns: 1fr; }
}
@media print {
  body { background: #fff; }
  section.card { break-inside: avoid; }
}
`;
