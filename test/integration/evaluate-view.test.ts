/// <reference lib="dom" />
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBrowserMode, type BrowserModeServer } from '../../electron/cli/server.js';
import { parseQuestionSet } from '../../electron/engine/eval/questions.js';
import { runEvaluation } from '../../electron/engine/eval/runner.js';
import { EvalStore } from '../../electron/engine/eval/store.js';
import { createEngine } from '../../electron/engine/index.js';
import type { ServerMessage } from '../../electron/shared/contract.js';
import { ROOT, tempDir } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const UI = join(ROOT, 'renderer', 'dist', 'index.html');
const SHOTS = join(ROOT, 'test', 'e2e', 'screenshots');
const haveBrowser = existsSync(CHROMIUM) && existsSync(UI);
if (!haveBrowser) console.warn(`[skipped] Evaluate view in Chromium: need ${CHROMIUM} and a built UI (${UI}; npm run build)`);

const DOCS: Record<string, string> = {
  'lily.md': '# Lily\n\nLily is a little girl who loves to play in the park with her dog Max.\n',
  'boat.txt': 'The red boat sails on the lake every Sunday morning. The captain is an old man named Tom.\n',
  'cake.txt': 'Mom baked a chocolate cake for the birthday party. The cake had seven candles.\n',
};
const QUESTIONS = [
  { id: 'q1', question: "What is the name of Lily's dog?", answer: 'Max', sources: ['lily.md'] },
  { id: 'q2', question: 'When does the red boat sail on the lake?', answer: 'every Sunday morning', sources: ['boat.txt'] },
  { id: 'q3', question: 'How many candles did the cake have?', answer: 'seven candles', sources: ['cake.txt'] },
];

let tmp: ReturnType<typeof tempDir>;
let server: BrowserModeServer;
let runId: number;

beforeAll(async () => {
  tmp = tempDir('quire-evaluate-');
  const data = join(tmp.dir, 'data');
  const docs = join(tmp.dir, 'docs');
  mkdirSync(docs);
  for (const [name, text] of Object.entries(DOCS)) writeFileSync(join(docs, name), text);
  // A library and a stored search-only run, as `quire index` and `quire eval --no-model` leave them.
  const engine = createEngine({ dataDir: data });
  const library = engine.openLibrary('kids', { create: true });
  try {
    library.addFolder(docs);
    await library.index();
    const questions = parseQuestionSet(QUESTIONS.map((q) => JSON.stringify(q)).join('\n'));
    const report = await runEvaluation(
      { library, llm: null, modelLabel: null, embedder: null, savedProfiles: [], adapters: [], resolveAdapter: (p) => Promise.resolve(p) },
      questions,
      { k: 3, questionSet: 'questions.jsonl' },
    );
    runId = new EvalStore(library.db).saveRun(report);
  } finally {
    await library.close();
  }
  server = await startBrowserMode({ dataDir: data, watch: false });
}, 120_000);
afterAll(async () => {
  await server?.close();
  tmp?.cleanup();
});

async function call(method: string, params: unknown): Promise<ServerMessage> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
  try {
    await new Promise<void>((done, fail) => {
      ws.once('open', () => done());
      ws.once('error', fail);
    });
    return await new Promise<ServerMessage>((done) => {
      ws.on('message', (data) => {
        const message = JSON.parse(data.toString()) as ServerMessage;
        if ((message.type === 'result' || message.type === 'error') && message.id === 1) done(message);
      });
      ws.send(JSON.stringify({ type: 'call', id: 1, method, params }));
    });
  } finally {
    ws.close();
  }
}

describe('evaluation runs over the contract', () => {
  it('lists the stored runs with the modes that ran', async () => {
    const answer = await call('eval.runs', { library: 'kids' });
    expect(answer.type).toBe('result');
    const runs = (answer as { result: unknown }).result as { id: number; createdAt: string; questionSet: string | null; model: string | null; questionCount: number; modes: string[]; winner: string | null }[];
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: runId, questionSet: 'questions.jsonl', model: null, questionCount: 3, modes: ['search-only'] });
    expect(typeof runs[0]!.createdAt).toBe('string');
  });

  it('renders a stored run as the self-contained HTML report, and refuses an unknown run', async () => {
    const answer = await call('eval.report', { library: 'kids', runId });
    expect(answer.type).toBe('result');
    const { html } = (answer as { result: { html: string } }).result;
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(html).toContain(`#${runId}`);
    expect(html).not.toMatch(/<script/i);
    const missing = await call('eval.report', { library: 'kids', runId: 999 });
    expect(missing).toMatchObject({ type: 'error', error: { code: 'not-found' } });
    const bad = await call('eval.report', { library: 'kids', runId: 'one' });
    expect(bad).toMatchObject({ type: 'error', error: { code: 'bad-request' } });
  });
});

describe.skipIf(!haveBrowser)('the Evaluate view in real Chromium', () => {
  it('lists the run, shows its report with its charts in a sandboxed frame', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      await page.goto(server.url);
      await page.getByTestId('nav-evaluate').click();
      await expect.poll(() => page.getByTestId('evaluate-view').isVisible(), { timeout: 15_000 }).toBe(true);
      const item = page.locator(`[data-testid=eval-run-item][data-run="${runId}"]`);
      await expect.poll(() => item.count(), { timeout: 15_000 }).toBe(1);
      expect(await item.textContent()).toContain('3 questions');
      await item.click();
      const frameElement = page.getByTestId('eval-report-frame');
      await expect.poll(() => frameElement.count(), { timeout: 15_000 }).toBe(1);
      expect(await frameElement.getAttribute('sandbox')).toBe('');
      const frame = page.frameLocator('[data-testid=eval-report-frame]');
      await expect.poll(() => frame.locator('svg').count(), { timeout: 15_000 }).toBeGreaterThan(0);
      expect(await frame.locator('h1').textContent()).toContain('Quire evaluation: kids');
      // The report's inline stylesheet applies (its body has no margin; the default is 8px).
      expect(await frame.locator('body').evaluate((b) => getComputedStyle(b).marginTop)).toBe('0px');
      await page.screenshot({ path: join(SHOTS, 'evaluate.png') });
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
