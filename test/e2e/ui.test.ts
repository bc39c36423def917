/// <reference lib="dom" />
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserMode, type BrowserModeServer } from '../../electron/cli/server.js';
import { makeTinyEmbedder } from '../../scripts/fixtures/tiny-embedder.js';
import { ROOT, tempDir } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const UI = join(ROOT, 'renderer', 'dist', 'index.html');
const MODELS = resolve(ROOT, '..', 'shared', 'models');
const BASE = resolve(MODELS, 'stories260K', 'stories260K.gguf');
const LORA = resolve(MODELS, 'stories260K-happy-lora', 'stories260K-happy-lora.gguf');
const SHOTS = join(ROOT, 'test', 'e2e', 'screenshots');
const haveBrowser = existsSync(CHROMIUM) && existsSync(UI);
const haveModels = existsSync(BASE) && existsSync(LORA);
if (!haveBrowser) console.warn(`[skipped] UI end-to-end tests: need ${CHROMIUM} (apt install chromium) and a built UI (${UI}; npm run build)`);
if (haveBrowser && !haveModels) console.warn(`[skipped] UI tests with a model: the tiny models in ${MODELS} are not present`);

let tmp: ReturnType<typeof tempDir>;
let server: BrowserModeServer;
let browser: Browser;
let page: Page;
let docs: string;
let embedder: string;

const byId = (id: string) => page.getByTestId(id);
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

async function ask(question: string): Promise<string> {
  const before = await page.getByTestId('answer-text').count();
  await byId('chat-input').fill(question);
  await byId('chat-send').click();
  const answer = page.getByTestId('answer-text').nth(before);
  // The first answer loads the model in the engine's process: generous, since speed is the benchmarks' job.
  await expect.poll(async () => answer.getAttribute('data-streaming'), { timeout: 90_000 }).not.toBe('true');
  return (await answer.textContent()) ?? '';
}

/** Result cards stacked in a column with space between them, without list numbers. */
const CARD_STACK = { listStyle: 'none', display: 'flex', direction: 'column', gap: '8px' };

async function cardStackLayout(testId: string, mode?: string): Promise<typeof CARD_STACK> {
  const list = page.locator(`[data-testid="${testId}"]${mode ? `[data-mode="${mode}"]` : ''}`).last();
  return list.evaluate((element) => {
    const style = getComputedStyle(element);
    return { listStyle: style.listStyleType, display: style.display, direction: style.flexDirection, gap: style.rowGap };
  });
}

describe.skipIf(!haveBrowser)('the UI in real Chromium against quire serve', () => {
  beforeAll(async () => {
    tmp = tempDir('quire-e2e-');
    mkdirSync(SHOTS, { recursive: true });
    docs = join(tmp.dir, 'stories');
    mkdirSync(docs);
    writeFileSync(join(docs, 'lily.md'), '# Lily\n\nLily is a little girl who loves to play in the park with her dog Max.\n\nOne day Lily found a shiny red ball under a tree.\n');
    writeFileSync(join(docs, 'boat.txt'), 'Tom has a blue boat. Every Sunday Tom sails the boat on the lake with his sister.\n');
    writeFileSync(join(docs, 'garden.md'), '# The garden\n\nGrandma grows tomatoes, carrots and sunflowers in her garden.\n');
    writeFileSync(join(docs, 'broken.txt'), Buffer.from([0, 1, 2, 3, 0, 255, 254, 0, 7]));
    embedder = join(tmp.dir, 'models', 'tiny-embedder');
    makeTinyEmbedder(embedder);
    server = await startBrowserMode({ dataDir: join(tmp.dir, 'data'), watch: false });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 }, permissions: ['clipboard-read', 'clipboard-write'] });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    tmp?.cleanup();
  });

  it('refuses a page without the token and a WebSocket from a foreign origin', async () => {
    await page.goto(`http://127.0.0.1:${server.port}/`);
    await expect.poll(() => byId('no-token').isVisible(), { timeout: 10_000 }).toBe(true);
    await page.goto('data:text/html,<p>elsewhere</p>');
    const outcome = await page.evaluate(
      (url) => new Promise<string>((done) => {
        const ws = new WebSocket(url);
        ws.onopen = () => done('open');
        ws.onerror = () => done('refused');
      }),
      `ws://127.0.0.1:${server.port}/ws?token=${server.token}`,
    );
    expect(outcome).toBe('refused');
  });

  it('creates a library from a folder and shows indexing progress through to done, with the failure listed', async () => {
    await page.goto(server.url);
    await expect.poll(() => byId('empty-no-library').isVisible(), { timeout: 15_000 }).toBe(true);
    await shot('first-run');
    await byId('new-library-name').fill('stories');
    await byId('new-library-folder').fill(docs);
    if (!(await byId('new-library-embedder').isVisible())) await byId('new-library-form').locator('summary').click();
    await byId('new-library-embedder').fill(embedder);
    await byId('new-library-submit').click();
    await expect.poll(() => byId('progress-panel').getAttribute('data-phase'), { timeout: 60_000 }).toBe('done');
    await expect.poll(() => page.getByTestId('failure-item').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('failure-item').first().getAttribute('data-reason')).toBe('binary');
    await shot('indexing');
    expect(await byId('library-item').first().getAttribute('data-library')).toBe('stories');
    await shot('library');
  });

  it('searches as you type, with matched words marked', async () => {
    await byId('nav-search').click();
    await byId('search-input').fill('sunflowers');
    await expect.poll(() => page.getByTestId('search-result').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('search-result').first().textContent()).toContain('garden.md');
    expect(await page.getByTestId('search-result').first().locator('mark').first().textContent()).toMatch(/sunflowers/i);
    expect(await cardStackLayout('search-results')).toEqual(CARD_STACK);
    await shot('search');
  });

  it('without a model, an answer lists the best passages and says how to add a model; a source opens the highlighted passage', async () => {
    await byId('nav-chat').click();
    await expect.poll(() => byId('empty-no-model').isVisible()).toBe(true);
    await ask('Who plays in the park with a dog?');
    await expect.poll(() => page.getByTestId('source-item').count()).toBeGreaterThan(0);
    expect(await cardStackLayout('answer-text', 'search-only')).toEqual(CARD_STACK);
    await byId('copy-answer').last().click();
    await expect.poll(() => byId('copy-answer').last().textContent()).toBe('Copied');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(/^\[1\] lily\.md/);
    expect(copied).toContain('park with her dog Max');
    await page.getByTestId('source-item').first().click();
    await expect.poll(() => byId('passage-view').isVisible()).toBe(true);
    expect(await byId('passage-mark').textContent()).toContain('Lily');
    expect(await byId('passage-view').textContent()).toContain('lily.md');
    expect(await byId('passage-location').textContent()).toMatch(/lines 1.5/);
    await shot('passage');
    await page.keyboard.press('Escape');
  });

  it("changes a library's embedding model: keyword search only, then the model again, which re-embeds every passage", async () => {
    await byId('nav-library').click();
    await expect.poll(() => byId('library-embedder').textContent()).toContain('tiny-embedder');
    await byId('library-embedder-clear').click();
    await expect.poll(() => byId('library-embedder').textContent()).toContain('keywords only');
    await byId('nav-search').click();
    await byId('search-input').fill('sunflowers garden');
    await expect.poll(() => byId('search-notice').textContent(), { timeout: 10_000 }).toMatch(/no embedding model/i);
    await byId('nav-library').click();
    await byId('library-embedder-input').fill(embedder);
    await byId('library-embedder-set').click();
    await expect.poll(() => byId('library-embedder').textContent(), { timeout: 60_000 }).toMatch(/tiny-embedder .*3 passages embedded/);
    await shot('library-embedder');
  });

  it('follows the system light or dark preference unless Settings pins a theme', async () => {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await byId('nav-settings').click();
    await byId('settings-theme-system').check();
    await page.emulateMedia({ colorScheme: 'dark' });
    const systemDark = await background();
    await page.emulateMedia({ colorScheme: 'light' });
    const systemLight = await background();
    expect(systemDark).not.toBe(systemLight);
    await byId('settings-theme-dark').check();
    expect(await background()).toBe(systemDark);
    await shot('settings-dark');
    await page.emulateMedia({ colorScheme: 'dark' });
    await byId('settings-theme-light').check();
    expect(await background()).toBe(systemLight);
    await byId('settings-theme-system').check();
    await page.emulateMedia({ colorScheme: 'light' });
  });

  describe.skipIf(!haveModels)('with the real tiny model', { timeout: 180_000 }, () => {
    it('imports a model and an adapter in the Models view', async () => {
      await byId('nav-models').click();
      await byId('models-tab-models').click();
      await byId('model-import-path').fill(BASE);
      await byId('model-import-submit').click();
      await expect.poll(() => page.getByTestId('model-item').count(), { timeout: 20_000 }).toBe(1);
      await byId('models-tab-adapters').click();
      await byId('adapter-import-path').fill(LORA);
      await byId('adapter-import-submit').click();
      await expect.poll(() => page.getByTestId('adapter-item').count(), { timeout: 20_000 }).toBe(1);
      await shot('models');
    });

    it('streams an answer with its sources, and a citation opens the passage', async () => {
      await byId('nav-chat').click();
      await byId('new-chat').click();
      const lengths: number[] = [];
      await page.exposeFunction('recordLength', (n: number) => lengths.push(n));
      await page.evaluate(() => {
        new MutationObserver(() => {
          const answers = document.querySelectorAll('[data-testid="answer-text"]');
          const last = answers[answers.length - 1];
          if (last?.getAttribute('data-streaming') === 'true') (window as unknown as { recordLength(n: number): void }).recordLength(last.textContent?.length ?? 0);
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      const answer = await ask('Who is Lily?');
      expect(answer.length).toBeGreaterThan(10);
      expect(new Set(lengths).size, 'the answer grew while streaming').toBeGreaterThan(2);
      await expect.poll(() => byId('answer-meta').last().getAttribute('data-mode')).toBe('generated');
      await expect.poll(() => page.getByTestId('source-item').count()).toBeGreaterThan(0);
      await byId('copy-answer').last().click();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      expect(copied.startsWith(answer.trim().slice(0, 20))).toBe(true);
      expect(copied).toMatch(/\n\nSources:\n\[\d+\] \S+\.(md|txt)/);
      await shot('chat');
      await page.getByTestId('source-item').first().click();
      await expect.poll(() => byId('passage-mark').isVisible()).toBe(true);
      await page.keyboard.press('Escape');
    });

    it('stops a generation on request', async () => {
      await page.evaluate(() => {
        const observer = new MutationObserver(() => {
          const stop = document.querySelector<HTMLButtonElement>('[data-testid="chat-stop"]');
          const answers = document.querySelectorAll('[data-testid="answer-text"]');
          if (stop && (answers[answers.length - 1]?.textContent?.length ?? 0) > 0) {
            stop.click();
            observer.disconnect();
          }
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      await ask('Tell me a very long story about Lily and Max in the park.');
      await expect.poll(() => page.getByTestId('answer-stopped').count()).toBeGreaterThan(0);
    });

    it('toggling the adapter on changes the answer', async () => {
      await byId('new-chat').click();
      const base = await ask('Lily');
      await byId('nav-models').click();
      await byId('models-tab-adapters').click();
      const scale = page.getByTestId('adapter-scale').first();
      await scale.fill('2');
      await byId('adapter-toggle').first().click();
      await shot('adapters');
      await byId('nav-chat').click();
      await byId('new-chat').click();
      const happy = await ask('Lily');
      const count = (text: string) => (text.match(/happy/gi) ?? []).length;
      expect(count(happy)).toBeGreaterThan(count(base));
    });
  });
});
