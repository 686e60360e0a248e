import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip, PHONE_CLIP } from '../../src/services/showcase/media/clips.js';
import { showcase } from '../../src/services/showcase/index.js';
import { startTestApp, type TestApp } from '../helpers.js';

// The callbacks given to page.evaluate run in the browser; the project has no DOM library, so the
// few browser globals they use are declared here, for this file only.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any, document: any, sessionStorage: any, MutationObserver: any;
declare const getComputedStyle: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The system's Chromium: CHROMIUM_PATH, else the first of the usual names on PATH. */
function findChromium(): string | undefined {
  const runnable = (file: string) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (process.env.CHROMIUM_PATH)
    return runnable(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : undefined;
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const name of ['chromium', 'chromium-browser', 'google-chrome'])
    for (const dir of dirs) if (runnable(path.join(dir, name))) return path.join(dir, name);
  return undefined;
}

const executablePath = findChromium();
if (!executablePath)
  console.log(
    'showcase browser test skipped: no chromium found (apt-get install chromium, or set CHROMIUM_PATH)',
  );
// The processing worker turns uploaded into processed; without it no video can be published.
const hasWorker = typeof showcase.workers === 'function';
if (executablePath && !hasWorker)
  console.log(
    'showcase browser test "processed → publish → vote" skipped: showcase has no processing worker yet',
  );

// SCREENSHOTS=docs/images writes the page at 1280 and 360 px wide there; unset, nothing is written.
const shotsDir = process.env.SCREENSHOTS;
const PROCESSED_WITHIN_MS = 180_000;
// Signing up hashes a password with argon2 on a shared machine: give the page time to answer.
const eventually = <T>(read: () => Promise<T>, opts: { timeout?: number } = {}) =>
  expect.poll(read, { timeout: 15_000, interval: 100, ...opts });

let app: TestApp;
let browser: Browser;
let clip: string;
let scratch: string;

beforeAll(async () => {
  if (!executablePath) return;
  scratch = await mkdtemp(path.join(tmpdir(), 'showcase-web-'));
  [app, browser, clip] = await Promise.all([
    startTestApp([showcase]),
    // Chromium's sandbox cannot start as root (CI containers); it is the browser's, not the product's.
    chromium.launch({ executablePath, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] }),
    makeClip({ ...PHONE_CLIP, path: path.join(scratch, 'skills.mp4') }).then((c) => c.path),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function openPage(width = 1280): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => scriptErrors.push(err.message));
  // A refused API call (a second vote) is the page's to explain; a missing file of its own is a fault.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) scriptErrors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !new URL(r.url()).pathname.startsWith('/api/'))
      scriptErrors.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(`${app.url}/showcase/`);
  return page;
}

/** What the page's script threw or logged, and its own files that failed; each test ends expecting none. */
const scriptErrors: string[] = [];

let people = 0;
/** Signs up through the form (submitted with Enter) and waits to be signed in. */
async function signUp(page: Page, first: string, city: string): Promise<string> {
  const email = `${first.toLowerCase()}.${++people}.${Date.now()}@example.com`;
  const form = page.locator('#sign-up');
  await form.getByLabel('First name').fill(first);
  await form.getByLabel('Last name').fill('Tester');
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('City').fill(city);
  await form.getByLabel('Country').fill('Colombia');
  await form.getByLabel('Password (8 characters or more)').fill('Canasta2025!');
  await form.getByLabel('Repeat the password').fill('Canasta2025!');
  await form.getByLabel('Repeat the password').press('Enter');
  await eventually(() => page.locator('#who').textContent()).toBe(email);
  return email;
}

/** Uploads the clip through the form; the percentages the progress bar showed, in order. */
async function upload(page: Page, title: string): Promise<number[]> {
  await page.evaluate(() => {
    const seen: number[] = [];
    window.seen = seen;
    const bar = document.querySelector('#upload-progress');
    new MutationObserver(() => seen.push(Number(bar.value))).observe(
      document.querySelector('#upload-percent')!,
      { childList: true, characterData: true, subtree: true },
    );
  });
  await page.getByLabel('Title').fill(title);
  await page.getByLabel(/^Video \(MP4/).setInputFiles(clip);
  await page.getByRole('button', { name: 'Upload' }).click();
  await eventually(() => page.locator('#status').textContent()).toMatch(/^Uploaded/);
  return page.evaluate((): number[] => window.seen);
}

const own = (page: Page, title: string) => page.locator('#own-videos li', { hasText: title });

async function screenshots(page: Page, name: string) {
  if (!shotsDir) return;
  await mkdir(shotsDir, { recursive: true });
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(shotsDir, `showcase-${name}-${width}.png`), fullPage: true });
  }
}

describe.skipIf(!executablePath)('the showcase page in headless Chromium', () => {
  it('filters by city from the keyboard, signs up, uploads with progress and shows the status; fits 360 px', async () => {
    const page = await openPage();
    // Keyboard: the skip link comes first and shows its focus; Tab reaches the filter; Enter sends it.
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => {
      const el = document.activeElement;
      return { text: el.textContent, outline: getComputedStyle(el).outlineStyle };
    });
    expect(first).toEqual({ text: 'Skip to the videos', outline: 'solid' });
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('city');
    await page.keyboard.type('bogota');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/showcase\/\?city=bogota$/);
    expect(await page.locator('#videos h2').textContent()).toBe('Public videos in “bogota”');
    expect(await page.locator('#rankings h2').textContent()).toBe('Rankings in “bogota”');
    // Every field has a label a screen reader reads out.
    expect(
      await page.$$eval('input', (inputs) => inputs.filter((i) => !i.labels?.length).map((i) => i.id)),
    ).toEqual([]);

    await page.goto(`${app.url}/showcase/`);
    expect(await page.locator('#mine').isHidden()).toBe(true);
    await signUp(page, 'Valentina', 'Bogotá');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('mine-heading');
    expect(await page.locator('#signed-out').isHidden()).toBe(true);
    expect(await page.locator('#sign-out').isVisible()).toBe(true);
    expect(await page.evaluate(() => Object.keys(sessionStorage))).toContain('showcase.token');

    const seen = await upload(page, 'Tiros de tres');
    expect(seen.at(-1)).toBe(100);
    expect(await page.locator('#upload-progress').evaluate((p) => (p as { value: number }).value)).toBe(100);
    const item = own(page, 'Tiros de tres');
    await eventually(() => item.count()).toBe(1);
    // Whatever the API says, in words: uploaded until a worker takes it, then processing, processed.
    expect(await item.locator('.badge').getAttribute('data-status')).toMatch(
      /^(uploaded|processing|processed)$/,
    );
    expect(await item.locator('.badge').textContent()).toMatch(/^(Uploaded|Processing|Processed)/);

    if (!hasWorker) await screenshots(page, 'upload');
    await page.setViewportSize({ width: 1280, height: 900 });

    // A reload keeps the tab signed in (sessionStorage) and lists the video again from the API.
    await page.reload();
    await eventually(() => own(page, 'Tiros de tres').count()).toBe(1);

    // A refused upload says why in the live region.
    await page.getByLabel('Title').fill('Sin video');
    await page.getByRole('button', { name: 'Upload' }).click();
    expect(await page.locator('#status').textContent()).toBe('Choose an MP4 video to upload');

    // A phone's width: nothing wider than the screen, so nothing scrolls sideways.
    await page.setViewportSize({ width: 360, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(scriptErrors).toEqual([]);
    await page.context().close();
  });

  it.skipIf(!hasWorker)(
    'waits for processed, publishes, and a second user’s vote moves the ranking',
    async () => {
      const player = await openPage();
      await signUp(player, 'Camila', 'Cali');
      await upload(player, 'Crossover en Cali');
      const item = own(player, 'Crossover en Cali');
      await eventually(() => item.locator('.badge').getAttribute('data-status'), {
        timeout: PROCESSED_WITHIN_MS,
      }).toBe('processed');
      await item.getByRole('button', { name: /^Publish/ }).click();
      await eventually(() => player.locator('#status').textContent()).toMatch(/^Published/);
      await eventually(() => item.locator('.badge').getAttribute('data-status')).toBe('public');
      const card = player.locator('#videos .card', { hasText: 'Crossover en Cali' });
      await eventually(() => card.count()).toBe(1);
      const ranking = (page: Page) =>
        page.locator('#rankings tr', { hasText: 'Camila Tester' }).locator('td').last().textContent();
      expect(await ranking(player)).toBe('0');
      // The processed file plays from the product itself, with byte ranges.
      const src = (await card.locator('video').getAttribute('src'))!;
      const head = await fetch(`${app.url}${src}`, { headers: { range: 'bytes=0-99' } });
      expect(head.status).toBe(206);

      // Another tab is another session: the fan signs up there and votes.
      const fan = await openPage();
      await fan.goto(`${app.url}/showcase/?city=cali`);
      await signUp(fan, 'Mateo', 'Medellín');
      const fanCard = fan.locator('#videos .card', { hasText: 'Crossover en Cali' });
      // From the keyboard: focus the button, press Enter.
      await fanCard.getByRole('button', { name: 'Vote for Crossover en Cali' }).press('Enter');
      await eventually(() => fan.locator('#status').textContent()).toMatch(/^Vote registered/);
      expect(await fanCard.locator('[data-votes]').textContent()).toBe('1 vote');
      await eventually(() => ranking(fan)).toBe('1');
      await fanCard.getByRole('button', { name: 'Vote for Crossover en Cali' }).click();
      await eventually(() => fan.locator('#status').textContent()).toBe(
        'You have already voted for this video',
      );
      await player.reload();
      expect(await ranking(player)).toBe('1');
      await screenshots(fan, 'vote');
      expect(scriptErrors).toEqual([]);
      await player.context().close();
      await fan.context().close();
    },
    PROCESSED_WITHIN_MS + 60_000,
  );
});
