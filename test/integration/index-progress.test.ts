import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type Library } from '../../electron/engine/index.js';
import type { IndexProgress } from '../../electron/shared/library.js';
import { makeTinyEmbedder } from '../../scripts/fixtures/tiny-embedder.js';
import { ROOT, tempDir } from '../helpers.js';

/** What an index run tells the UI: passages embedded, and a current file that is still being worked on. */
describe('index summary and progress', () => {
  let tmp: ReturnType<typeof tempDir>;
  let engine: Engine;
  let library: Library;
  let embedder: string;

  beforeAll(() => {
    tmp = tempDir('quire-index-progress-');
    embedder = join(tmp.dir, 'tiny-embedder');
    makeTinyEmbedder(embedder);
    engine = createEngine({ dataDir: join(tmp.dir, 'data') });
  });
  afterAll(async () => {
    await library?.close();
    tmp.cleanup();
  });

  it('counts the passages a run embedded: new files, then every passage again after a change of model', async () => {
    const folder = join(tmp.dir, 'notes');
    mkdirSync(folder);
    for (let i = 0; i < 5; i++) writeFileSync(join(folder, `n${i}.md`), `# Note ${i}\n\nThe harbour lantern ${i} is lit at dusk.\n\n# More ${i}\n\nThe ferry leaves at ${i}.\n`);
    library = engine.openLibrary('notes', { create: true });
    library.addFolder(folder);
    library.useEmbedder(await engine.loadEmbedder(embedder));
    const first = (await library.index()).summary;
    expect(first.chunks).toBe(10);
    expect(first.embedded).toBe(10);

    const unchanged = (await library.index()).summary;
    expect(unchanged).toMatchObject({ chunks: 0, embedded: 0, unchanged: 5 });

    library.dropEmbedder();
    expect(library.vectors.count()).toBe(0);
    library.useEmbedder(await engine.loadEmbedder(embedder));
    const reembed = (await library.index()).summary;
    expect(reembed).toMatchObject({ chunks: 0, unchanged: 5, embedded: 10 });
    expect(library.vectors.count()).toBe(10);
  });

  it('a library without an embedding model reports no embedded count', async () => {
    const folder = join(tmp.dir, 'plain');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.txt'), 'Plain words only.\n');
    const plain = engine.openLibrary('plain', { create: true });
    plain.addFolder(folder);
    const { summary } = await plain.index();
    expect(summary.embedded).toBeUndefined();
    await plain.close();
  });

  it('names a file still being worked on: once the quick files are stored, the scan, never a file that finished', async () => {
    const folder = join(tmp.dir, 'mixed');
    mkdirSync(join(folder, 'a-scans'), { recursive: true });
    mkdirSync(join(folder, 'b-texts'));
    writeFileSync(join(folder, 'a-scans', 'receipt.png'), readFileSync(join(ROOT, 'test', 'fixtures', 'generated', 'scans-sheets-mail', 'scans', 'receipt.png')));
    for (let i = 0; i < 20; i++) writeFileSync(join(folder, 'b-texts', `t${String(i).padStart(2, '0')}.txt`), `Text ${i}.\n`);
    const mixed = engine.openLibrary('mixed', { create: true });
    mixed.addFolder(folder);
    const seen: IndexProgress[] = [];
    const { summary } = await mixed.index({ onProgress: (p) => seen.push(p) });
    await mixed.close();
    expect(summary.ocr?.pages).toBe(1);
    // Every text file done, the scan still waiting for its page: the scan is the current file.
    // Every text file stored, the scan not yet: the scan is the current file, not the last text file started.
    const waiting = seen.filter((p) => p.phase === 'indexing' && p.done === 20);
    expect(waiting.length).toBeGreaterThan(0);
    for (const p of waiting) expect(p.currentFile).toBe('a-scans/receipt.png');
    expect(seen.at(-1)).toMatchObject({ phase: 'done', currentFile: null });
  });
});
