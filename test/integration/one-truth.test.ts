import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineApi, type EngineApi } from '../../electron/engine/index.js';
import type { AnswerEvent } from '../../electron/shared/answer.js';
import type { Notice } from '../../electron/shared/contract.js';
import type { IndexSummary, LibraryStatus } from '../../electron/shared/library.js';
import { CLI, ROOT, tempDir } from '../helpers.js';

/**
 * One truth for choices (issue 15, item 2): what is chosen through the engine API (the app, `quire
 * serve`) is what the one-shot CLI uses, and a library's indexing options, given once to `quire
 * index`, are used by every later run: the API's re-index and the watcher.
 */

const MODELS = resolve(ROOT, '..', 'shared', 'models');
const BASE = resolve(MODELS, 'stories260K', 'stories260K.gguf');
const CHAT = resolve(MODELS, 'stories260K-chat', 'stories260K-chat.gguf');
const modelsPresent = [BASE, CHAT].every(existsSync);
if (!modelsPresent) console.warn(`[skipped] active-model tests: stories260K and stories260K-chat are not present in ${MODELS}`);

let tmp: ReturnType<typeof tempDir>;
let data: string;
let docs: string;

function quire(...args: string[]) {
  return spawnSync(process.execPath, [CLI, '--data-dir', data, ...args], { encoding: 'utf8' });
}

/** An engine as `quire serve` and the app run it, for the length of `work`. */
async function withApi<T>(work: (api: EngineApi) => Promise<T>, options: { watch?: boolean } = {}): Promise<T> {
  const api = await createEngineApi({ dataDir: data, watch: options.watch });
  try {
    return await work(api);
  } finally {
    await api.close();
  }
}

/** About 180 tokens of prose in five paragraphs, under 1 KB: one chunk at the default 300 tokens, several at 50. */
function prose(topic: string): string {
  const paragraph = (n: number) =>
    `Paragraph ${n} about ${topic}: the keeper walks the shore at dawn, counts the boats in the harbour, writes the tides in the logbook and checks the lamp before night.`;
  return [1, 2, 3, 4, 5].map(paragraph).join('\n\n') + '\n';
}

const documentOf = (status: LibraryStatus, relativePath: string) => status.documents.find((d) => d.relativePath === relativePath)!;

beforeAll(() => {
  tmp = tempDir();
  data = join(tmp.dir, 'data');
  docs = join(tmp.dir, 'docs');
  mkdirSync(docs);
  writeFileSync(join(docs, 'harbour.txt'), prose('the harbour'));
  writeFileSync(join(docs, 'big.txt'), prose('the big file').repeat(3)); // ~2.7 KB: over a 1 KB cap
  expect(prose('x').length).toBeLessThan(1024);
});
afterAll(() => tmp.cleanup());

describe('indexing options are kept with the library', () => {
  it('quire index --chunk-tokens 50 --max-file-size 1KB: then quire index, the API and the watcher chunk at 50 and skip the big file', async () => {
    const first = quire('index', docs, '--library', 'opts', '--chunk-tokens', '50', '--max-file-size', '1KB', '--json');
    expect(first.status, first.stderr).toBe(0);
    expect((JSON.parse(first.stdout) as IndexSummary).byReason).toEqual({ 'too-large': 1 });
    const status = () => JSON.parse(quire('status', '--library', 'opts', '--json').stdout) as LibraryStatus;
    expect(documentOf(status(), 'harbour.txt').chunks).toBeGreaterThanOrEqual(3);
    expect(documentOf(status(), 'big.txt')).toMatchObject({ status: 'skipped', reason: 'too-large' });

    await withApi(async (api) => {
      expect(await api.call('libraries.options', { library: 'opts' })).toMatchObject({ chunkTokens: 50, overlapTokens: 40, maxFileBytes: 1024, ocr: { enabled: true } });
    });

    // The CLI without the flags: a changed file is read again with the library's own options.
    writeFileSync(join(docs, 'lighthouse.txt'), prose('the lighthouse'));
    const again = quire('index', '--library', 'opts', '--json');
    expect(again.status, again.stderr).toBe(0);
    expect(documentOf(status(), 'lighthouse.txt').chunks).toBeGreaterThanOrEqual(3);

    // The app's re-index (libraries.index without options), after the big file changed.
    appendFileSync(join(docs, 'big.txt'), 'One more line.\n');
    writeFileSync(join(docs, 'dunes.txt'), prose('the dunes'));
    await withApi(async (api) => {
      const summary = await api.call('libraries.index', { library: 'opts' });
      expect(summary.indexed).toBe(1);
      expect(summary.byReason['too-large']).toBe(1);
    });
    expect(documentOf(status(), 'dunes.txt').chunks).toBeGreaterThanOrEqual(3);
    expect(documentOf(status(), 'big.txt')).toMatchObject({ status: 'skipped', reason: 'too-large' });

    // The watcher (as under quire serve and the app): a new file and a new big one, read with the library's options.
    await withApi(
      async (api) => {
        await api.call('libraries.index', { library: 'opts' });
        const notices: Notice[] = [];
        api.onNotice((notice) => notice.kind === 'library-changed' && notices.push(notice));
        // chokidar needs its initial scan before it sees changes.
        await new Promise((r) => setTimeout(r, 1500));
        writeFileSync(join(docs, 'cliffs.txt'), prose('the cliffs'));
        writeFileSync(join(docs, 'bigger.txt'), prose('the bigger file').repeat(4));
        // Nothing else indexes now: only the watcher can bring the two new files in.
        const deadline = Date.now() + 60_000;
        const seen = async () => {
          const { documents } = await api.call('libraries.status', { library: 'opts' });
          return ['cliffs.txt', 'bigger.txt'].every((path) => documents.some((d) => d.relativePath === path && d.status !== 'pending'));
        };
        while (!(await seen()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 300));
        expect(notices.length).toBeGreaterThan(0);
      },
      { watch: true },
    );
    const watched = status();
    expect(documentOf(watched, 'cliffs.txt').chunks).toBeGreaterThanOrEqual(3);
    expect(documentOf(watched, 'bigger.txt')).toMatchObject({ status: 'skipped', reason: 'too-large' });
  }, 120_000);

  it('a library indexed with the defaults keeps one chunk for the same text (the check above can fail)', () => {
    const plain = join(tmp.dir, 'plain');
    mkdirSync(plain);
    writeFileSync(join(plain, 'harbour.txt'), prose('the harbour'));
    writeFileSync(join(plain, 'big.txt'), prose('the big file').repeat(3));
    expect(quire('index', plain, '--library', 'plain', '--json').status).toBe(0);
    const status = JSON.parse(quire('status', '--library', 'plain', '--json').stdout) as LibraryStatus;
    expect(documentOf(status, 'harbour.txt').chunks).toBe(1);
    expect(documentOf(status, 'big.txt').status).toBe('indexed');
  }, 60_000);

  it('libraries.setOptions changes the options for the next run, and bad values are refused', async () => {
    await withApi(async (api) => {
      const options = await api.call('libraries.setOptions', { library: 'plain', chunkTokens: 40, maxFileSize: 2048 });
      expect(options).toMatchObject({ chunkTokens: 40, overlapTokens: 40, maxFileBytes: 2048 });
      await expect(api.call('libraries.setOptions', { library: 'plain', chunkTokens: 0 })).rejects.toMatchObject({ code: 'bad-request' });
      await expect(api.call('libraries.setOptions', { library: 'plain', ocrLanguages: ['xyz'] })).rejects.toMatchObject({ code: 'unknown-ocr-language' });
    });
    const status = JSON.parse(quire('status', '--library', 'plain', '--json').stdout) as LibraryStatus;
    expect(status.documents.length).toBe(2);
  });
});

describe('quire index --watch and quire profiles set, through the engine API', () => {
  it('--watch prints one summary per sync with the library\'s options, and Ctrl+C ends it with exit 0', async () => {
    const folder = join(tmp.dir, 'watched');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.txt'), prose('the first file'));
    const child = spawn(process.execPath, [CLI, '--data-dir', data, 'index', folder, '--library', 'watched', '--chunk-tokens', '50', '--watch', '--json']);
    const lines: IndexSummary[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop()!;
      for (const line of complete) if (line.trim()) lines.push(JSON.parse(line) as IndexSummary);
    });
    const until = async (check: () => boolean, what: string) => {
      const deadline = Date.now() + 45_000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    await until(() => lines.length === 1 && stderr.includes('Watching'), 'the first summary');
    expect(lines[0]).toMatchObject({ library: 'watched', indexed: 1 });
    await new Promise((r) => setTimeout(r, 1500));
    writeFileSync(join(folder, 'b.txt'), prose('the second file'));
    await until(() => lines.length === 2, 'the summary of the sync');
    expect(lines[1]).toMatchObject({ indexed: 1, chunks: expect.any(Number) });
    expect(lines[1]!.chunks).toBeGreaterThanOrEqual(3);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 90_000);

  it('profiles set changes only the options given', () => {
    expect(quire('profiles', 'set', 'careful', '-k', '3', '--rule', 'careful').status).toBe(0);
    const updated = quire('profiles', 'set', 'careful', '--description', 'Fewer passages');
    expect(updated.stdout).toMatch(/^Updated profile careful - Fewer passages\n  retrieval: on \(k=3\)/);
    const shown = JSON.parse(quire('profiles', 'show', 'careful', '--json').stdout) as { k: number; rules: string[]; description: string };
    expect(shown).toMatchObject({ k: 3, rules: ['careful'], description: 'Fewer passages' });
  }, 30_000);
});

describe.skipIf(!modelsPresent)('the active model is one truth for every shell', () => {
  const ask = () => {
    const run = quire('ask', 'Who keeps the harbour?', '--library', 'opts', '--json', '--max-tokens', '4', '--profile', 'default');
    expect(run.status, run.stderr).toBe(0);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as AnswerEvent);
    return events.find((e): e is Extract<AnswerEvent, { type: 'done' }> => e.type === 'done')!;
  };
  const listed = () => JSON.parse(quire('models', 'list', '--json').stdout) as { id: string; active: boolean }[];

  it('quire ask answers with the model chosen through models.use or settings.set, and models list marks it', async () => {
    await withApi(async (api) => {
      await api.call('models.import', { path: BASE });
      await api.call('models.import', { path: CHAT });
    });
    // Nothing chosen yet: the newest import, as in the app.
    expect(ask()).toMatchObject({ mode: 'generated', model: 'stories260K-chat' });

    await withApi((api) => api.call('models.use', { id: 'stories260K' }));
    expect(ask().model).toBe('stories260K');
    expect(listed()).toEqual([expect.objectContaining({ id: 'stories260K', active: true }), expect.objectContaining({ id: 'stories260K-chat', active: false })]);
    expect(quire('models', 'list').stdout).toMatch(/^stories260K\tllama\t.*\bactive\b/m);
    expect(quire('models', 'list').stdout).not.toMatch(/^stories260K-chat\t.*\bactive\b/m);

    await withApi((api) => api.call('settings.set', { activeModel: 'stories260K-chat' }));
    expect(ask().model).toBe('stories260K-chat');

    // --model still wins for one question, without changing the choice.
    const once = quire('ask', 'Who?', '--library', 'opts', '--json', '--max-tokens', '2', '--model', 'stories260K');
    expect(once.stdout).toContain('"model":"stories260K"');
    expect(listed().find((m) => m.active)?.id).toBe('stories260K-chat');
  }, 120_000);

  it('quire models use sets the choice the API (and so the app) sees', async () => {
    const use = quire('models', 'use', 'stories260K');
    expect(use.status, use.stderr).toBe(0);
    expect(use.stdout).toMatch(/Active model: "stories260K"/);
    await withApi(async (api) => {
      expect((await api.call('settings.get', {})).activeModel).toBe('stories260K');
      expect((await api.call('models.list', {})).find((m) => m.active)?.id).toBe('stories260K');
    });
    expect(ask().model).toBe('stories260K');
    const unknown = quire('models', 'use', 'no-such-model', '--json');
    expect(unknown.status).toBe(1);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ error: { code: 'unknown-model' } });
  }, 60_000);
});
