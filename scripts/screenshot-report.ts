/**
 * Full-page screenshot of a report with headless Chromium (Debian's `chromium`, no Playwright):
 *
 *   npx tsx scripts/screenshot-report.ts <report.html> <out.png> [--width 1280] [--height N]
 *
 * The page must render with no network at all, so Chromium runs with networking features off,
 * a fresh profile, and a virtual-time budget so uPlot has drawn before the capture.
 * `--screenshot` only captures the window, so unless `--height` is given a first `--dump-dom`
 * pass reads the height the page reports once its charts are drawn (`data-page-height` on
 * `<html>`), and the second pass sizes the window to it. Set CHROMIUM to use another binary.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface Options {
  page: string;
  out: string;
  width: number;
  /** Undefined: measure the page. */
  height?: number;
}

function parseArgs(argv: string[]): Options {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg.startsWith('--')) flags.set(arg.slice(2), argv[++i] ?? '');
    else positional.push(arg);
  }
  const [page, out] = positional;
  if (!page || !out) {
    console.error(
      'usage: npx tsx scripts/screenshot-report.ts <report.html> <out.png> [--width N] [--height N]',
    );
    process.exit(2);
  }
  const size = (name: string) => {
    const raw = flags.get(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 100) throw new Error(`--${name} must be an integer >= 100`);
    return n;
  };
  return {
    page: path.resolve(page),
    out: path.resolve(out),
    width: size('width') ?? 1280,
    height: size('height'),
  };
}

function run(bin: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const BIN = process.env.CHROMIUM ?? 'chromium';

/** Runs headless Chromium on the page with a fresh profile and every background fetch off. */
async function chromium(url: string, width: number, height: number, action: string) {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'crucible-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    // Chromium still pings its update, time and sign-in services despite the flags above:
    // resolve no host at all, so nothing leaves the machine (the page itself fetches nothing).
    '--host-resolver-rules=MAP * ~NOTFOUND',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
    `--window-size=${width},${height}`,
    '--virtual-time-budget=5000',
    action,
    url,
  ];
  try {
    const result = await run(BIN, args);
    if (result.code !== 0) throw new Error(`${BIN} exited with ${result.code}:\n${result.output}`);
    return result;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** The page's height at this width, as it reports it after drawing its charts. */
async function measure(url: string, width: number): Promise<{ height: number; charts: number }> {
  const { output } = await chromium(url, width, 800, '--dump-dom');
  const height = /data-page-height="(\d+)"/.exec(output)?.[1];
  const charts = /data-charts-drawn="(\d+)"/.exec(output)?.[1];
  if (!height)
    throw new Error('the page did not report its height (did its chart script run?); pass --height');
  return { height: Number(height), charts: Number(charts ?? 0) };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  await stat(opts.page);
  const url = pathToFileURL(opts.page).href;
  let height = opts.height;
  if (height === undefined) {
    const measured = await measure(url, opts.width);
    height = measured.height;
    console.log(`page: ${opts.width}x${height} px, ${measured.charts} charts drawn`);
  }
  await rm(opts.out, { force: true });
  const { output } = await chromium(url, opts.width, height, `--screenshot=${opts.out}`);
  const written = await stat(opts.out).catch(() => undefined);
  if (!written) throw new Error(`${BIN} wrote no screenshot:\n${output}`);
  console.log(`${opts.out} (${written.size} bytes, ${opts.width}x${height})`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
