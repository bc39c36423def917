import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type Library } from '../../electron/engine/index.js';
import { makeTinyEmbedder } from '../../scripts/fixtures/tiny-embedder.js';
import { CLI, ROOT, tempDir } from '../helpers.js';

const SHARED_EMBEDDER = resolve(ROOT, '..', 'shared', 'models', 'm2v-vocabq-bge-base-64d');

let tmp: ReturnType<typeof tempDir>;
let folder: string;
let engine: Engine;
let library: Library;
let tinyPath: string;

const PASSAGES: Record<string, string> = {
  'medicine.txt': 'The physician treated the sickness of the patient over three weeks.',
  'garage.txt': 'Our sedan needs new tyres before winter.',
  'finance.md': '# Quarterly report\n\nEarnings and income rose sharply in the last quarter.',
  'errors.log': 'Startup failed with error code E4021 while opening the settings file.',
  'people.txt': 'Letters from Ada Ravensworth describe the old harbour.',
  'noise-1.txt': 'An error occurred and the error was logged as an error in the error log.',
  'noise-2.txt': 'Errors, errors everywhere: every error is a bug report waiting to be written.',
};

beforeAll(async () => {
  tmp = tempDir();
  folder = join(tmp.dir, 'docs');
  mkdirSync(folder);
  for (const [name, text] of Object.entries(PASSAGES)) writeFileSync(join(folder, name), text);
  tinyPath = join(tmp.dir, 'models', 'tiny-embedder');
  makeTinyEmbedder(tinyPath);
  engine = createEngine({ dataDir: join(tmp.dir, 'data') });
  library = engine.openLibrary('search', { create: true });
  library.addFolder(folder);
  library.useEmbedder(await engine.loadEmbedder(tinyPath));
  await library.index();
});
afterAll(async () => {
  await library.close();
  tmp.cleanup();
});

const top = async (query: string, mode: 'lexical' | 'vector' | 'hybrid', k = 3) =>
  (await library.searcher().search(query, { mode, k })).results.map((r) => r.relativePath);

describe('search over a library (tiny generated embedder, real transformers.js inference)', () => {
  it('stores one vector per chunk and one FTS row per chunk', () => {
    const chunks = library.chunks.count();
    expect(chunks).toBe(Object.keys(PASSAGES).length);
    expect(library.vectors.count()).toBe(chunks);
    expect(library.db.prepare("SELECT COUNT(*) AS n FROM chunks_fts WHERE chunks_fts MATCH 'harbour'").get()).toEqual({ n: 1 });
    expect(library.meta.embedder()).toMatchObject({ model: 'tiny-embedder', dimension: 32, pooling: 'mean' });
  });

  it('vector search finds the passage that means the same with no word in common; lexical cannot', async () => {
    const query = 'doctor cured illness';
    expect(await top(query, 'lexical')).toEqual([]);
    expect((await top(query, 'vector'))[0]).toBe('medicine.txt');
    expect((await top('automobile', 'vector'))[0]).toBe('garage.txt');
    expect((await top('profit', 'hybrid'))[0]).toBe('finance.md');
  });

  it('hybrid keeps exact matches of an error code and a name at the top', async () => {
    expect((await top('error E4021', 'hybrid'))[0]).toBe('errors.log');
    expect((await top('Ravensworth', 'hybrid'))[0]).toBe('people.txt');
    const lexical = await library.searcher().search('E4021', { mode: 'lexical' });
    expect(lexical.results[0]!.snippet.slice(...lexical.results[0]!.highlights[0]!)).toBe('E4021');
  });

  it('results carry path, location, score and a marked snippet', async () => {
    const [result] = (await library.searcher().search('quarterly earnings', { mode: 'hybrid', k: 1 })).results;
    expect(result).toMatchObject({ relativePath: 'finance.md', path: join(folder, 'finance.md'), lines: [1, 3], headingPath: ['Quarterly report'], page: null });
    expect(result!.score).toBeGreaterThan(0);
    expect(result!.highlights.map(([s, e]) => result!.snippet.slice(s, e).toLowerCase())).toEqual(expect.arrayContaining(['quarterly', 'earnings']));
    expect(result!.ranks.lexical).toBe(1);
  });

  it.each([
    ['empty', ''], ['spaces', '   '], ['FTS5 syntax', 'error AND OR NOT "unbalanced ( * ^ NEAR(a b) col:x -y'], ['only punctuation', '?!.,;:'],
    ['very long', 'error '.repeat(5000) + 'x'.repeat(20000)], ['unicode', 'café naïve 東京 🙂'],
  ])('a %s query never throws', async (_label, query) => {
    for (const mode of ['lexical', 'vector', 'hybrid'] as const) {
      const response = await library.searcher().search(query, { mode, k: 5 });
      expect(Array.isArray(response.results)).toBe(true);
    }
  });

  it('collapses to one result per document on request', async () => {
    const passages = await library.searcher().search('error', { mode: 'lexical', k: 10 });
    const documents = await library.searcher().search('error', { mode: 'lexical', k: 10, documents: true });
    const paths = documents.results.map((r) => r.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths.length).toBeLessThanOrEqual(passages.results.length);
  });

  it('the quantised fast path agrees with exact search here', async () => {
    const query = await library.activeEmbedder!.embedQuery('tyres for the car');
    const exact = library.vectors.nearestExact(query, 3).map((h) => h.chunkId);
    const fast = library.vectors.nearestFast(query, 3, 7).map((h) => h.chunkId);
    expect(fast).toEqual(exact);
  });

  it('a library embedded before the float table existed gets it on open, and the fast path still works', async () => {
    const { VectorStore } = await import('../../electron/engine/store/vectors.js');
    library.db.exec('DROP TABLE chunk_vector_floats');
    const reopened = new VectorStore(library.db);
    const query = await library.activeEmbedder!.embedQuery('sedan tyres');
    expect(reopened.nearestFast(query, 2, 7).map((h) => h.chunkId)).toEqual(reopened.nearestExact(query, 2).map((h) => h.chunkId));
    expect(library.db.prepare('SELECT COUNT(*) AS n FROM chunk_vector_floats').get()).toEqual({ n: library.chunks.count() });
  });

  it('changing or deleting a file removes its old vectors and FTS rows', async () => {
    writeFileSync(join(folder, 'garage.txt'), 'The garage now stores bicycles only.');
    rmSync(join(folder, 'people.txt'));
    await library.index();
    expect(library.vectors.count()).toBe(library.chunks.count());
    const orphans = library.db.prepare('SELECT COUNT(*) AS n FROM chunk_vectors v WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.id = v.chunk_id)').get();
    expect(orphans).toEqual({ n: 0 });
    expect(library.db.prepare('SELECT COUNT(*) AS n FROM chunk_vector_floats f WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.id = f.chunk_id)').get()).toEqual({ n: 0 });
    expect(library.db.prepare("SELECT COUNT(*) AS n FROM chunks_fts WHERE chunks_fts MATCH 'Ravensworth OR tyres'").get()).toEqual({ n: 0 });
    expect(await top('Ravensworth', 'hybrid')).not.toContain('people.txt');
    expect((await top('bicycles', 'hybrid'))[0]).toBe('garage.txt');
  });
});

describe('changing the embedding model', () => {
  it('re-embeds every passage with the new model instead of mixing vectors', async () => {
    const otherPath = join(tmp.dir, 'models-2', 'tiny-embedder-copy');
    makeTinyEmbedder(otherPath);
    const other = engine.openLibrary('switch', { create: true });
    try {
      other.addFolder(folder);
      other.useEmbedder(await engine.loadEmbedder(tinyPath));
      await other.index();
      const before = other.vectors.count();
      const { reembed } = other.useEmbedder(await engine.loadEmbedder(otherPath));
      expect(reembed).toBe(true);
      expect(other.vectors.count()).toBe(0);
      const phases: string[] = [];
      await other.index({ onProgress: (p) => phases.push(p.phase) });
      expect(phases).toContain('embedding');
      expect(other.vectors.count()).toBe(before);
      expect(other.meta.embedder()?.model).toBe('tiny-embedder-copy');
    } finally {
      await other.close();
    }
  });
});

describe('quire search on the command line', () => {
  it('prints the documented JSON, and answers a batch of queries in order', () => {
    const data = join(tmp.dir, 'cli-data');
    const index = spawnSync(process.execPath, [CLI, '--data-dir', data, 'index', folder, '--library', 'cli', '--embedder', tinyPath, '--json'], { encoding: 'utf8' });
    expect(index.status, index.stderr).toBe(0);
    const single = JSON.parse(execFileSync(process.execPath, [CLI, '--data-dir', data, 'search', 'E4021', '--library', 'cli', '--json', '-k', '2'], { encoding: 'utf8' }));
    expect(single.mode).toBe('hybrid');
    expect(single.results[0]).toMatchObject({ path: join(folder, 'errors.log'), page: null, lines: [1, 1] });
    expect(typeof single.results[0].score).toBe('number');
    expect(single.results[0].text).toContain('E4021');

    const batch = join(tmp.dir, 'queries.jsonl');
    writeFileSync(batch, ['{"id": "q1", "query": "quarterly earnings"}', 'not json', '{"id": 7, "query": "AND OR ("}', '{"id": "q3", "query": "physician"}'].join('\n'));
    const out = execFileSync(process.execPath, [CLI, '--data-dir', data, 'search', '--batch', batch, '--library', 'cli', '--json', '-k', '3'], { encoding: 'utf8' })
      .trim().split('\n').map((line) => JSON.parse(line));
    expect(out.map((o) => o.id)).toEqual(['q1', null, 7, 'q3']);
    expect(out[0].results[0].path).toBe(join(folder, 'finance.md'));
    expect(out[1].error).toMatch(/line 2/);
    expect(out[3].results[0].path).toBe(join(folder, 'medicine.txt'));
  });

  it('--no-embed builds a lexical-only library and search says so', () => {
    const data = join(tmp.dir, 'lex-data');
    expect(spawnSync(process.execPath, [CLI, '--data-dir', data, 'index', folder, '--library', 'lex', '--no-embed'], { encoding: 'utf8' }).status).toBe(0);
    const out = JSON.parse(execFileSync(process.execPath, [CLI, '--data-dir', data, 'search', 'error', '--library', 'lex', '--mode', 'vector', '--json'], { encoding: 'utf8' }));
    expect(out.mode).toBe('lexical');
    expect(out.notice).toMatch(/no embedding model/i);
    expect(out.results.length).toBeGreaterThan(0);
  });
});

describe.skipIf(!existsSync(SHARED_EMBEDDER))('search with the real m2v-vocabq-bge-base-64d embedder', () => {
  it('finds the related sentence by meaning', async () => {
    const dir = join(tmp.dir, 'm2v-docs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'pets.txt'), 'A kitten is sitting on a rug.');
    writeFileSync(join(dir, 'money.txt'), 'Quarterly revenue grew by ten percent.');
    writeFileSync(join(dir, 'account.txt'), 'How do I reset my password?');
    const real = engine.openLibrary('m2v', { create: true });
    try {
      real.addFolder(dir);
      const embedder = await engine.loadEmbedder(SHARED_EMBEDDER);
      expect(embedder.dimension).toBe(64);
      real.useEmbedder(embedder);
      await real.index();
      const results = (await real.searcher().search('The cat sat on the mat.', { mode: 'vector', k: 3 })).results;
      expect(results[0]!.relativePath).toBe('pets.txt');
      const profits = (await real.searcher().search("The company's profits increased this quarter.", { mode: 'vector', k: 3 })).results;
      expect(profits[0]!.relativePath).toBe('money.txt');
    } finally {
      await real.close();
    }
  });
});
if (!existsSync(SHARED_EMBEDDER)) console.warn(`[skipped] real-embedder search tests: ${SHARED_EMBEDDER} is not present`);
