/// <reference lib="dom" />
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyEmbedder } from '../../scripts/fixtures/tiny-embedder.js';
import { keywordCorpus, writeCorpus } from '../../scripts/fixtures/calibration-corpora.js';
import { ROOT } from '../helpers.js';
import { BASE, CHAT, MODELS, RANDOM_LLAMA, WireClient, haveBrowser, haveModels, startHarness, visibleFraction, warnSkips, type Harness } from './harness.js';

warnSkips('issue 18 end-to-end tests');
if (haveBrowser && !haveModels) console.warn(`[skipped] models that say what they are, and a no-retrieval profile with a model: the tiny models in ${MODELS} are not present`);

const SCANS = join(ROOT, 'test', 'fixtures', 'generated', 'scans-sheets-mail', 'scans');
/** Passages of the big library: enough that re-embedding them takes a few seconds. */
const BIG_PASSAGES = 8_000;

/**
 * Issue 18, items 3, 5, 6 and 7, as a user sees them: long jobs that say where they are, models
 * that say what they are, sources that read right, and meaning search while embedding runs.
 */
describe.skipIf(!haveBrowser)('the experience, in real Chromium against quire serve', () => {
  let h: Harness;
  let wire: WireClient;
  let page: Page;
  let embedder: string;
  const byId = (id: string) => page.getByTestId(id);
  const openLibrary = async (name: string) => {
    await page.locator(`[data-testid="library-item"][data-library="${name}"]`).click();
    await expect.poll(() => page.locator(`[data-testid="library-item"][data-library="${name}"]`).getAttribute('aria-current')).toBe('true');
  };
  const ask = async (question: string): Promise<void> => {
    const before = await page.getByTestId('answer-text').count();
    await byId('chat-input').fill(question);
    await byId('chat-send').click();
    const answer = page.getByTestId('answer-text').nth(before);
    await expect.poll(() => answer.getAttribute('data-streaming'), { timeout: 30_000 }).not.toBe('true');
  };

  beforeAll(async () => {
    h = await startHarness('experience');
    embedder = join(h.tmp.dir, 'tiny-embedder');
    makeTinyEmbedder(embedder);

    const notes = join(h.tmp.dir, 'notes');
    mkdirSync(notes);
    writeFileSync(join(notes, 'tides.md'), '# Tides\n\nThe keeper logs the tides every evening in the blue book.\n');
    writeFileSync(join(notes, 'lamp.txt'), 'The lamp is lit at dusk and trimmed at midnight by the second keeper.\n');

    // Many short passages (a heading each): re-embedding them takes long enough to be seen.
    const big = join(h.tmp.dir, 'big');
    mkdirSync(big);
    const words = 'harbour lantern keeper tide boat rope gull cliff storm lamp oil wick beacon fog bell anchor'.split(' ');
    for (let f = 0; f < BIG_PASSAGES / 200; f++) {
      let text = '';
      for (let i = 0; i < 200; i++) text += `# Entry ${f}-${i}\n\nOn day ${i} the ${words[i % 16]} and the ${words[(i * 7 + f) % 16]} were checked; the ${words[(i * 3) % 16]} needed care.\n\n`;
      writeFileSync(join(big, `log-${String(f).padStart(2, '0')}.md`), text);
    }

    // Scans walked first (scans/ sorts before texts/), many quick text files after them.
    const scans = join(h.tmp.dir, 'scans');
    mkdirSync(join(scans, 'texts'), { recursive: true });
    mkdirSync(join(scans, 'scans'));
    for (const file of ['lease.pdf', 'receipt.png', 'whiteboard.jpg']) cpSync(join(SCANS, file), join(scans, 'scans', file));
    for (let i = 0; i < 40; i++) writeFileSync(join(scans, 'texts', `note-${String(i).padStart(2, '0')}.txt`), `Note ${i}: the ferry leaves at ${i % 12} o'clock.\n`);

    wire = await WireClient.connect(h.server);
    await wire.call('libraries.create', { library: 'notes', folders: [notes], embedder: null });
    await wire.call('libraries.index', { library: 'notes' });
    await wire.call('libraries.create', { library: 'big', folders: [big], embedder: null });
    await wire.call('libraries.index', { library: 'big' });
    await wire.call('libraries.create', { library: 'scans', folders: [scans], embedder: null });

    page = await h.newPage();
    await page.goto(h.server.url);
    await page.locator('[data-testid="library-item"][data-library="scans"]').waitFor({ timeout: 15_000 });
  });
  afterAll(async () => {
    wire?.close();
    await h?.close();
  });

  it('search says "No close match; the nearest passages:" for a made-up word, by the library\'s calibrated threshold, and not for its own words', async () => {
    const codes = join(h.tmp.dir, 'codes');
    mkdirSync(codes);
    const passages = keywordCorpus(120, 7);
    writeCorpus(codes, passages);
    await wire.call('libraries.create', { library: 'codes', folders: [codes], embedder });
    await wire.call('libraries.index', { library: 'codes', calibrate: 'wait' });
    expect(await wire.call('libraries.retrieval', { library: 'codes' })).toMatchObject({ k: 10 });
    await openLibrary('codes');
    await byId('nav-search').click();
    await byId('search-input').fill('zorblat quenfid');
    await expect.poll(() => byId('search-weak').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await byId('search-weak').textContent()).toBe('No close match; the nearest passages:');
    expect(await page.locator('[data-testid="search-result"]:not([data-weak="true"])').count()).toBe(0);
    await h.shot(page, 'search-weak');
    const own = passages[3]!.text.split(/\s+/).slice(0, 6).join(' ');
    await byId('search-input').fill(own);
    await expect.poll(() => page.locator('[data-testid="search-result"]:not([data-weak="true"])').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await byId('search-weak').count()).toBe(0);
    // Library settings show the figures in words.
    await byId('nav-library').click();
    await expect.poll(() => byId('library-retrieval').textContent()).toMatch(/^keywords \d\.\d\d · meaning \d\.\d\d · combined \d\.\d\d, on \d+ questions made from this library$/);
    await h.shot(page, 'library-retrieval');
  });

  it('a search-only answer shows its passages without calling each "not cited"', async () => {
    await openLibrary('notes');
    await byId('nav-chat').click();
    await ask('When are the tides logged?');
    await expect.poll(() => page.getByTestId('source-item').count()).toBeGreaterThan(0);
    expect(await byId('answer-meta').last().getAttribute('data-mode')).toBe('search-only');
    expect(await byId('sources-panel').textContent()).not.toMatch(/cited/);
    await h.shot(page, 'search-only-sources');
  });

  it('a profile without retrieval says it does not look anything up, not that no passage matched', async () => {
    await wire.call('profiles.save', { name: 'no-docs', retrieval: false, description: 'Small talk' });
    // The profile saved elsewhere is in this window's list without a reload.
    await expect.poll(() => byId('profile-select').locator('option').allTextContents(), { timeout: 10_000 }).toContain('no-docs');
    await byId('profile-select').selectOption('no-docs');
    await byId('new-chat').click();
    await ask('Hello there');
    // No model, so nothing was written: the panel and the answer say why, once each.
    await expect.poll(() => byId('sources-empty').textContent()).toBe('This profile does not look up passages in your documents.');
    expect(await byId('answer-text').last().textContent()).toBe('This profile answers without your documents, which takes a language model, and none is set up yet.');
    expect(await byId('answer-notice').last().textContent()).toBe('Add a model to have this profile write answers.');
    expect(await page.getByTestId('turn').last().textContent()).not.toContain('without retrieval');
    expect(await byId('sources-panel').textContent()).not.toContain('No passage matched');
    await h.shot(page, 'no-retrieval-no-model');
  });

  describe.runIf(haveModels)('with the tiny real models', () => {
    const item = (id: string) => page.locator(`[data-testid="model-item"][data-model="${id}"]`);

    it('names models by file when the metadata gives only an architecture, marks the active one and those not for chat, and asks before a new import takes over', async () => {
      await byId('nav-models').click();
      await byId('models-tab-models').click();
      await byId('model-import-path').fill(BASE);
      await byId('model-import-submit').click();
      await expect.poll(() => item('stories260K').count(), { timeout: 20_000 }).toBe(1);
      // Its GGUF says only "llama": the file's name is shown instead.
      expect(await item('stories260K').getByTestId('model-name').textContent()).toBe('stories260K');
      expect(await item('stories260K').getAttribute('data-active')).toBe('true');
      expect(await item('stories260K').getByTestId('model-active-badge').isVisible()).toBe(true);
      expect(await item('stories260K').getByTestId('model-not-for-chat').textContent()).toBe('Not for chat');
      expect(await byId('model-import-choice').count()).toBe(0);

      await byId('model-import-path').fill(CHAT);
      await byId('model-import-submit').click();
      await expect.poll(() => byId('model-import-choice').isVisible(), { timeout: 20_000 }).toBe(true);
      expect(await byId('model-import-choice').textContent()).toMatch(/Added stories260K-chat\. Answers are still written with stories260K/);
      // Nothing changed before the user says so.
      expect(await item('stories260K').getAttribute('data-active')).toBe('true');
      expect(await item('stories260K-chat').getAttribute('data-active')).toBe('false');
      expect(await item('stories260K-chat').getByTestId('model-not-for-chat').count()).toBe(0);
      await h.shot(page, 'models-import-asks');
      await byId('model-import-use').click();
      await expect.poll(() => item('stories260K-chat').getAttribute('data-active'), { timeout: 10_000 }).toBe('true');
      expect(await item('stories260K').getAttribute('data-active')).toBe('false');
      expect(await page.getByTestId('model-active-badge').count()).toBe(1);
      await expect.poll(() => byId('active-model').textContent()).toBe('Model: stories260K-chat');

      await byId('model-import-path').fill(RANDOM_LLAMA);
      await byId('model-import-submit').click();
      await expect.poll(() => byId('model-import-choice').isVisible(), { timeout: 20_000 }).toBe(true);
      await byId('model-import-keep').click();
      await expect.poll(() => byId('model-import-choice').count()).toBe(0);
      // "LLaMA v2" in its metadata: the file's name says more.
      expect(await item('llama-2-tiny-random').getByTestId('model-name').textContent()).toBe('llama-2-tiny-random');
      expect(await item('llama-2-tiny-random').getAttribute('data-active')).toBe('false');
      expect(await item('stories260K-chat').getAttribute('data-active')).toBe('true');
      expect(await byId('active-model').textContent()).toBe('Model: stories260K-chat');
      await h.shot(page, 'models-active-marked');
      await page.emulateMedia({ colorScheme: 'dark' });
      await h.shot(page, 'models-active-marked-dark');
      await page.emulateMedia({ colorScheme: 'light' });
    });

    it('with a model, a profile without retrieval answers without your documents', async () => {
      await byId('nav-chat').click();
      await byId('new-chat').click();
      await byId('profile-select').selectOption('no-docs');
      await ask('Once upon a time');
      await expect.poll(() => byId('answer-meta').last().getAttribute('data-mode')).toBe('generated');
      await expect.poll(() => byId('sources-empty').textContent()).toMatch(/^Answered without your documents/);
      await h.shot(page, 'no-retrieval-with-model');
      await byId('profile-select').selectOption('');
    });
  });

  it('meaning search while embedding runs says how far it is, then refreshes by itself; the progress panel comes into view; the re-embed reports its passages', async () => {
    await openLibrary('big');
    await byId('nav-search').click();
    await byId('search-mode-vector').check();
    await byId('search-input').fill('harbour lantern');
    await expect.poll(() => byId('search-notice').textContent(), { timeout: 10_000 }).toMatch(/no embedding model/i);

    await byId('nav-library').click();
    // A laptop-sized window, where the library page is taller than the window.
    await page.setViewportSize({ width: 1280, height: 640 });
    await page.evaluate(() => {
      const seen: { text: string; results: number }[] = [];
      (window as unknown as { embeddingNotices: typeof seen }).embeddingNotices = seen;
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid="search-embedding"]')?.textContent;
        const results = document.querySelectorAll('[data-testid="search-result"]').length;
        const last = seen.at(-1);
        if (text && (last?.text !== text || last.results !== results)) seen.push({ text, results });
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    // The embedding card is near the bottom of the page: scrolled down to it, the Index card above is out of view.
    await byId('library-remove').scrollIntoViewIfNeeded();
    await byId('library-embedder-input').fill(embedder);
    expect(await visibleFraction(page, 'index-button')).toBe(0);
    await byId('library-embedder-set').click();
    await expect.poll(() => byId('progress-panel').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => visibleFraction(page, 'progress-panel')).toBeGreaterThan(0.95);
    await h.shot(page, 'progress-panel-in-view');
    await page.setViewportSize({ width: 1280, height: 860 });

    await byId('nav-search').click();
    await expect.poll(() => byId('search-embedding').isVisible(), { timeout: 20_000 }).toBe(true);
    await h.shot(page, 'search-while-embedding');
    await expect.poll(() => byId('search-embedding').count(), { timeout: 120_000 }).toBe(0);
    const notices = await page.evaluate(() => (window as unknown as { embeddingNotices: { text: string; results: number }[] }).embeddingNotices);
    expect(notices.length).toBeGreaterThan(0);
    for (const notice of notices) expect(notice.text).toMatch(/^Embedding [\d,]+ of 8,000 passages; meaning search covers those done\./);
    // Partway through, the passages embedded so far are searched already.
    expect(notices.some((n) => n.results > 0)).toBe(true);
    // Refreshed when done, with nothing typed again.
    await expect.poll(() => page.getByTestId('search-result').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(() => byId('search-status').textContent(), { timeout: 10_000 }).toMatch(/^\d+ results?$/);
    await h.shot(page, 'search-after-embedding');

    await byId('nav-library').click();
    await expect.poll(() => byId('index-summary').textContent(), { timeout: 60_000 }).toMatch(/8,000 passages embedded/);
    expect(await byId('library-embedder').textContent()).toMatch(/8,000 passages embedded/);
  });

  it('indexing scans shows OCR pages done of total, and the current file and time left stay true while OCR runs', async () => {
    await openLibrary('scans');
    await byId('nav-library').click();
    await page.evaluate(() => {
      type Snapshot = { count: string; current: string; ocr: string; eta: string };
      const seen: Snapshot[] = [];
      (window as unknown as { progressSnapshots: Snapshot[] }).progressSnapshots = seen;
      const text = (id: string) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? '';
      new MutationObserver(() => {
        const snapshot = { count: text('progress-count'), current: text('progress-current'), ocr: text('progress-ocr'), eta: text('progress-eta') };
        const last = seen.at(-1);
        if (!last || JSON.stringify(last) !== JSON.stringify(snapshot)) seen.push(snapshot);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await byId('index-button').click();
    await expect.poll(() => byId('progress-ocr').textContent(), { timeout: 120_000 }).toMatch(/OCR: [1-9]\d* of \d+/);
    await h.shot(page, 'ocr-progress');
    await page.emulateMedia({ colorScheme: 'dark' });
    await h.shot(page, 'ocr-progress-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(() => byId('progress-panel').getAttribute('data-phase'), { timeout: 240_000 }).toBe('done');
    await h.shot(page, 'ocr-done');

    const snapshots = await page.evaluate(() => (window as unknown as { progressSnapshots: { count: string; current: string; ocr: string; eta: string }[] }).progressSnapshots);
    const pending = snapshots.flatMap((s) => {
      const ocr = /Scanned pages read by OCR: (\d+) of (\d+)/.exec(s.ocr);
      const files = /^(\d+) of (\d+) files$/.exec(s.count);
      return ocr && files ? [{ ...s, pagesLeft: Number(ocr[2]) - Number(ocr[1]), filesLeft: Number(files[2]) - Number(files[1]) }] : [];
    });
    expect(pending.length, 'OCR progress was shown as pages done of total').toBeGreaterThan(0);
    // Once only the scans are left, the current file is a scan, never a text file that finished long ago.
    const scansOnly = pending.filter((s) => s.filesLeft <= 3 && s.pagesLeft > 0 && s.current);
    expect(scansOnly.length).toBeGreaterThan(0);
    for (const s of scansOnly) expect(s.current).toMatch(/^scans\/(lease\.pdf|receipt\.png|whiteboard\.jpg)$/);
    // With pages still to read, the time left is never "almost done" just because the files were quick.
    for (const s of pending.filter((p) => p.pagesLeft >= 3)) expect(s.eta).not.toMatch(/almost done|under a second/);
    for (const s of snapshots) expect(s.eta).not.toMatch(/about under/);
    expect(await byId('index-summary-ocr').textContent()).toMatch(/^5 scanned pages read by OCR/);
    expect(await byId('index-summary').textContent()).toMatch(/^43 indexed/);
  });
});
