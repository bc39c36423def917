/// <reference lib="dom" />
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyEmbedder } from '../../scripts/fixtures/tiny-embedder.js';
import { haveBrowser, startHarness, warnSkips, type Harness } from './harness.js';

warnSkips('new library end-to-end tests');

let h: Harness;
let page: Page;
let docs: string;
const byId = (id: string) => page.getByTestId(id);

describe.skipIf(!haveBrowser)('a new library searches by meaning from the start', () => {
  beforeAll(async () => {
    h = await startHarness('new-library');
    docs = join(h.tmp.dir, 'notes');
    mkdirSync(docs);
    writeFileSync(join(docs, 'car.md'), '# Cars\n\nThe automobile needs new tyres before the winter.\n');
    writeFileSync(join(docs, 'doctor.txt'), 'The physician treated the illness with rest and water.\n');
    page = await h.newPage();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('with no embedder installed, suggests the recommended one with its size and downloads nothing without a click', async () => {
    await page.goto(h.server.url);
    await expect.poll(() => byId('new-library-form').isVisible(), { timeout: 15_000 }).toBe(true);
    const suggestion = byId('new-library-embedder-suggestion');
    await expect.poll(() => suggestion.isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await suggestion.getAttribute('data-catalog')).toBe('bge-small-en-v1.5');
    expect(await suggestion.textContent()).toMatch(/Recommended: BGE small English v1\.5 \(ONNX, fp32\) · \d+(\.\d+)? MB/);
    expect(await byId('new-library-embedder-download').textContent()).toMatch(/^Download \(\d+(\.\d+)? MB\)$/);
    // The empty field is keyword-only, said in one line; the old checkbox that repeated it is gone.
    expect(await byId('new-library-embedder').inputValue()).toBe('');
    expect(await byId('new-library-embedder-hint').textContent()).toContain('searched by keywords only');
    expect(await byId('new-library-lexical-only').count()).toBe(0);
    await h.shot(page, 'recommended');
    // Nothing was fetched: no embedder folder appeared.
    expect(() => readdirSync(join(h.tmp.dir, 'data', 'models', 'embedders'))).toThrow();
  });

  it('pre-fills an installed embedder, and the created library uses it', async () => {
    makeTinyEmbedder(join(h.tmp.dir, 'data', 'models', 'embedders', 'tiny'));
    await page.reload();
    await expect.poll(() => byId('new-library-embedder').inputValue(), { timeout: 15_000 }).toBe('tiny');
    expect(await byId('new-library-embedder-hint').textContent()).toMatch(/^Installed: passages are found by what they mean/);
    expect(await byId('new-library-embedder-suggestion').count()).toBe(0);
    await byId('new-library-name').fill('notes');
    await byId('new-library-folder').fill(docs);
    await h.shot(page, 'installed');
    await byId('new-library-submit').click();
    await expect.poll(() => byId('progress-panel').getAttribute('data-phase'), { timeout: 60_000 }).toBe('done');
    await expect.poll(() => byId('library-embedder').textContent(), { timeout: 10_000 }).toMatch(/tiny.*32 dimensions · 2 passages embedded/);
    await h.shot(page, 'created');
    expect(readdirSync(join(h.tmp.dir, 'data', 'models', 'embedders'))).toEqual(['tiny']);
    // The Models catalog lists the hand-installed embedder as installed, with its size.
    await byId('nav-models').click();
    await byId('models-tab-catalog').click();
    const tiny = page.locator('[data-testid="catalog-item"][data-catalog="tiny"]');
    await expect.poll(() => tiny.isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await tiny.textContent()).toMatch(/installed.*tiny · \d+(\.\d+)? (KB|MB)/);
    expect(await tiny.getByTestId('catalog-download').isDisabled()).toBe(true);
    await h.shot(page, 'catalog');
  });
});
