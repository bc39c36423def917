import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Library } from '../../electron/engine/index.js';
import { tempDir } from '../helpers.js';

let tmp: ReturnType<typeof tempDir>;
let folder: string;
let library: Library;

const write = (file: string, text: string): void => {
  mkdirSync(join(folder, file, '..'), { recursive: true });
  writeFileSync(join(folder, file), text);
};
const texts = (file: string): string[] => {
  const row = library.documents.byPath(join(folder, file));
  return row ? library.chunks.forDocument(row.id).map((c) => c.text) : [];
};
const chunkIds = (): number[] => (library.db.prepare('SELECT id FROM chunks ORDER BY id').all() as { id: number }[]).map((r) => r.id);

beforeEach(() => {
  tmp = tempDir();
  folder = join(tmp.dir, 'docs');
  write('a.txt', 'Alpha document about apples.');
  write('b.md', '# Bees\n\nBees make honey.');
  write('sub/c.txt', 'Cherries in a sub folder.');
  library = createEngine({ dataDir: join(tmp.dir, 'data') }).openLibrary('inc', { create: true });
  library.addFolder(folder);
});
afterEach(async () => {
  await library.close();
  tmp.cleanup();
});

describe('incremental indexing', () => {
  it('a second run over unchanged files reads nothing and changes nothing', async () => {
    await library.index();
    const ids = chunkIds();
    const { summary } = await library.index();
    expect(summary).toMatchObject({ seen: 3, indexed: 0, unchanged: 3, removed: 0 });
    expect(chunkIds()).toEqual(ids);
  });

  it('after a reader of their kind improves, unchanged files it read before are read again once', async () => {
    await library.index();
    // As a library indexed by an older Quire would have it: b.md read by reader version 0.
    library.db.prepare("UPDATE documents SET reader_version = 0 WHERE relative_path = 'b.md'").run();
    const { summary } = await library.index();
    expect(summary).toMatchObject({ seen: 3, indexed: 1, unchanged: 2 });
    expect(library.documents.byPath(join(folder, 'b.md'))!.readerVersion).toBe(1);
    expect((await library.index()).summary).toMatchObject({ indexed: 0, unchanged: 3 });
  });

  it('a touched file with the same content is recognised by its hash and keeps its chunks', async () => {
    await library.index();
    const ids = chunkIds();
    utimesSync(join(folder, 'a.txt'), new Date(), new Date(Date.now() + 60_000));
    const { summary } = await library.index();
    expect(summary).toMatchObject({ indexed: 0, unchanged: 3 });
    expect(chunkIds()).toEqual(ids);
  });

  it('a changed file has its chunks replaced; the others keep theirs', async () => {
    await library.index();
    const beesIds = library.chunks.forDocument(library.documents.byPath(join(folder, 'b.md'))!.id).map((c) => c.id);
    write('a.txt', 'Alpha document, now about apricots.');
    const { summary } = await library.index();
    expect(summary).toMatchObject({ indexed: 1, unchanged: 2 });
    expect(texts('a.txt').join(' ')).toContain('apricots');
    expect(texts('a.txt').join(' ')).not.toContain('apples');
    expect(library.chunks.forDocument(library.documents.byPath(join(folder, 'b.md'))!.id).map((c) => c.id)).toEqual(beesIds);
  });

  it('deleted files and folders disappear with their chunks', async () => {
    await library.index();
    rmSync(join(folder, 'sub'), { recursive: true });
    const { summary } = await library.index();
    expect(summary.removed).toBe(1);
    expect(library.documents.byPath(join(folder, 'sub/c.txt'))).toBeUndefined();
    expect(library.db.prepare("SELECT COUNT(*) AS n FROM chunks WHERE text LIKE '%Cherries%'").get()).toEqual({ n: 0 });
  });

  it('skips hidden folders, node_modules and .git, and honours include/exclude globs', async () => {
    write('.hidden/secret.txt', 'hidden');
    write('node_modules/pkg/readme.md', 'dependency');
    write('.git/HEAD', 'ref: refs/heads/main');
    write('drafts/wip.txt', 'work in progress');
    library.addFolder(folder, { exclude: ['drafts/**'] });
    await library.index();
    expect(library.status().documents.map((d) => d.relativePath).sort()).toEqual(['a.txt', 'b.md', 'sub/c.txt']);
    library.addFolder(folder, { include: ['**/*.md'], exclude: [] });
    await library.index();
    expect(library.status().documents.map((d) => d.relativePath)).toEqual(['b.md']);
  });

  it('can be cancelled and resumed', async () => {
    for (let i = 0; i < 60; i++) write(`many/n${i}.txt`, `Note number ${i}.`);
    const abort = new AbortController();
    const { summary } = await library.index({ signal: abort.signal, onProgress: (p) => p.done >= 5 && abort.abort() });
    expect(summary.cancelled).toBe(true);
    expect(library.documents.countsByStatus().pending).toBeGreaterThan(0);
    const second = await library.index();
    expect(second.summary.cancelled).toBe(false);
    expect(library.documents.countsByStatus()).toMatchObject({ pending: 0, indexed: 63 });
  });
});

describe('watching a library', () => {
  const until = async (check: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('picks up added, changed and deleted files', async () => {
    await library.index();
    const watcher = library.watch({ debounceMs: 100 });
    try {
      await watcher.ready();
      write('new.txt', 'A new file about nectarines.');
      await until(() => texts('new.txt').join(' ').includes('nectarines'), 'new.txt indexed');
      write('a.txt', 'Alpha rewritten about avocados.');
      await until(() => texts('a.txt').join(' ').includes('avocados'), 'a.txt re-indexed');
      rmSync(join(folder, 'b.md'));
      await until(() => library.documents.byPath(join(folder, 'b.md')) === undefined, 'b.md removed');
    } finally {
      await watcher.close();
    }
  });
});
