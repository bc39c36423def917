/// <reference lib="dom" />
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePdf } from '../../scripts/fixtures/documents.js';
import { ROOT } from '../helpers.js';
import { WireClient, haveBrowser, startHarness, warnSkips, type Harness } from './harness.js';

warnSkips('PDF citation end-to-end tests');

/** Three A4 pages: "pangolin survey" on page 1, "wombat burrows" on page 2, "ocelot sightings" on page 3 (scripts/fixtures/all-formats.ts). */
const REPORT = join(ROOT, 'test', 'fixtures', 'generated', 'all-formats', 'report.pdf');

let h: Harness;
let page: Page;
let wire: WireClient;
let docs: string;
const consoleErrors: string[] = [];
const byId = (id: string) => page.getByTestId(id);

/** The highlights' boxes, the canvas's box, and how much of the canvas under the first highlight is ink (not white). */
async function pageLayout() {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="passage-pdf-canvas"]')!;
    const c = canvas.getBoundingClientRect();
    const boxes = Array.from(document.querySelectorAll('[data-testid="passage-pdf-highlight"]')).map((e) => e.getBoundingClientRect());
    const ctx = canvas.getContext('2d')!;
    const scale = canvas.width / c.width;
    const first = boxes[0]!;
    const pixels = ctx.getImageData((first.left - c.left) * scale, (first.top - c.top) * scale, Math.max(1, first.width * scale), Math.max(1, first.height * scale)).data;
    let ink = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! < 160) ink++;
    const whole = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let inkOnPage = 0;
    for (let i = 0; i < whole.length; i += 4) if (whole[i]! < 160) inkOnPage++;
    return {
      canvas: { left: c.left, top: c.top, right: c.right, bottom: c.bottom, width: c.width, height: c.height },
      boxes: boxes.map((b) => ({ left: b.left, top: b.top, right: b.right, bottom: b.bottom })),
      inkUnderFirst: ink / (pixels.length / 4),
      inkOnPage,
      viewport: window.innerHeight,
    };
  });
}

describe.skipIf(!haveBrowser)('a PDF citation shows its page with the passage highlighted', () => {
  beforeAll(async () => {
    h = await startHarness('pdf-citation');
    docs = join(h.tmp.dir, 'reports');
    mkdirSync(docs);
    cpSync(REPORT, join(docs, 'report.pdf'));
    // A full page of long paragraphs (more than one passage), the last passage at the foot: the view must scroll down to it.
    const paragraphs = Array.from({ length: 6 }, (_, i) => `Ledger part ${i + 1}. ${Array.from({ length: 7 }, (_, j) => `On day ${i * 7 + j + 1} the harbour master wrote down the ships, their cargo and the weather.`).join(' ')}`);
    paragraphs[5] += ' At the foot of the page the narwhal migration is recorded.';
    writeFileSync(join(docs, 'ledger.pdf'), await makePdf([{ heading: 'Ledger', paragraphs: ['An opening page.'] }, { heading: 'Harbour', paragraphs }]));
    wire = await WireClient.connect(h.server);
    await wire.call('libraries.create', { library: 'reports', folders: [docs], embedder: null });
    await wire.call('libraries.index', { library: 'reports' });
    page = await h.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(h.server.url);
    await page.getByTestId('library-item').first().waitFor({ timeout: 15_000 });
  });
  afterAll(async () => {
    wire?.close();
    await h?.close();
  });

  it('draws page 2 from the document endpoint, scrolled to the passage, with a highlight over its words', async () => {
    await byId('nav-search').click();
    await byId('search-mode-lexical').click();
    await byId('search-input').fill('wombat burrows');
    const result = page.getByTestId('search-result').first();
    await expect.poll(() => result.isVisible(), { timeout: 15_000 }).toBe(true);
    await result.click();
    await expect.poll(() => byId('passage-view').isVisible()).toBe(true);
    expect(await byId('passage-location').textContent()).toMatch(/page 2/i);
    await expect.poll(() => byId('passage-pdf').getAttribute('data-status'), { timeout: 30_000 }).toBe('shown');
    expect(await byId('passage-pdf-canvas').getAttribute('data-page')).toBe('2');
    expect(await page.getByTestId('passage-pdf-highlight').count()).toBeGreaterThan(0);
    expect(await byId('passage-pdf-unmatched').count()).toBe(0);

    const layout = await pageLayout();
    // A page drawn (ink on it), A4-shaped, filling the dialog's width.
    expect(layout.inkOnPage).toBeGreaterThan(1000);
    expect(layout.canvas.height / layout.canvas.width).toBeCloseTo(297 / 210, 1);
    // Every highlight sits on the page, over ink (the passage's words), and the first is in view.
    for (const box of layout.boxes) {
      expect(box.left).toBeGreaterThanOrEqual(layout.canvas.left - 1);
      expect(box.right).toBeLessThanOrEqual(layout.canvas.right + 1);
      expect(box.top).toBeGreaterThanOrEqual(layout.canvas.top - 1);
      expect(box.bottom).toBeLessThanOrEqual(layout.canvas.bottom + 1);
    }
    expect(layout.inkUnderFirst).toBeGreaterThan(0.02);
    expect(layout.boxes[0]!.top).toBeGreaterThanOrEqual(0);
    expect(layout.boxes[0]!.bottom).toBeLessThanOrEqual(layout.viewport);
    // The passage's text is still there, folded away under the page.
    expect(await byId('passage-mark').textContent()).toContain('wombat burrows');
    // "Open file" still opens the file's URL in browser mode, at the passage's page in the browser's PDF viewer.
    expect(await byId('passage-open').getAttribute('href')).toMatch(/^\/files\/reports\/\d+\?token=[^#]+#page=2$/);
    await h.shot(page, 'page-2');
    expect(consoleErrors.filter((e) => /Content Security Policy|Refused/i.test(e))).toEqual([]);
  });

  it('shows page 3 for a passage on page 3', async () => {
    await byId('passage-close').click();
    await byId('search-input').fill('ocelot sightings');
    const result = page.getByTestId('search-result').first();
    await expect.poll(async () => (await result.textContent()) ?? '', { timeout: 15_000 }).toContain('ocelot');
    await result.click();
    await expect.poll(() => byId('passage-pdf').getAttribute('data-status'), { timeout: 30_000 }).toBe('shown');
    expect(await byId('passage-pdf-canvas').getAttribute('data-page')).toBe('3');
    expect(await page.getByTestId('passage-pdf-highlight').count()).toBeGreaterThan(0);
    await h.shot(page, 'page-3');
  });

  it('scrolls down the page to a passage at its foot', async () => {
    await byId('passage-close').click();
    // A short window: the foot of the page starts out of view.
    await page.setViewportSize({ width: 1280, height: 600 });
    await byId('search-input').fill('narwhal migration');
    const result = page.getByTestId('search-result').first();
    await expect.poll(async () => (await result.textContent()) ?? '', { timeout: 15_000 }).toContain('narwhal');
    await result.click();
    await expect.poll(() => byId('passage-pdf').getAttribute('data-status'), { timeout: 30_000 }).toBe('shown');
    expect(await byId('passage-pdf-canvas').getAttribute('data-page')).toBe('2');
    const layout = await pageLayout();
    await h.shot(page, 'foot-of-page');
    // The passage starts well down the page, and the view scrolled so that its start shows.
    expect(layout.boxes[0]!.top - layout.canvas.top).toBeGreaterThan(layout.canvas.height / 3);
    expect(layout.canvas.top).toBeLessThan(0);
    expect(layout.boxes[0]!.top).toBeGreaterThanOrEqual(0);
    expect(layout.boxes[0]!.bottom).toBeLessThanOrEqual(layout.viewport);
    expect(layout.inkUnderFirst).toBeGreaterThan(0.02);
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('a source cited in an answer opens on its page too', async () => {
    await byId('passage-close').click();
    await byId('nav-chat').click();
    await page.getByTestId('library-item').first().click();
    await byId('nav-chat').click();
    await h.shot(page, 'chat');
    await byId('chat-input').fill('Where are the wombat burrows counted?');
    await byId('chat-send').click();
    const source = page.getByTestId('source-item').first();
    await expect.poll(() => source.isVisible(), { timeout: 30_000 }).toBe(true);
    await h.shot(page, 'answer');
    await source.click();
    expect(await byId('passage-location').textContent()).toMatch(/page 2/i);
    await expect.poll(() => byId('passage-pdf').getAttribute('data-status'), { timeout: 30_000 }).toBe('shown');
    expect(await byId('passage-pdf-canvas').getAttribute('data-page')).toBe('2');
    expect(await page.getByTestId('passage-pdf-highlight').count()).toBeGreaterThan(0);
    await h.shot(page, 'from-answer');
    expect(consoleErrors.filter((e) => /Content Security Policy|Refused/i.test(e))).toEqual([]);
  });

  it('a PDF that can no longer be read shows the passage in its text, and says why', async () => {
    await byId('passage-close').click();
    rmSync(join(docs, 'ledger.pdf'));
    await byId('nav-search').click();
    await byId('search-input').fill('narwhal sightings migration');
    const result = page.getByTestId('search-result').first();
    await expect.poll(async () => (await result.textContent()) ?? '', { timeout: 15_000 }).toContain('narwhal');
    await result.click();
    await expect.poll(() => byId('passage-pdf-failed').isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await byId('passage-pdf').count()).toBe(0);
    expect(await byId('passage-pdf-failed').textContent()).toContain('the file is no longer where it was read from');
    expect(await byId('passage-pdf-failed').textContent()).not.toContain('token');
    expect(await byId('passage-mark').textContent()).toMatch(/narwhal\s+migration/);
    await h.shot(page, 'file-gone');
  });
});
