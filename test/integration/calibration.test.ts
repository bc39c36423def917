import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type Library } from '../../electron/engine/index.js';
import { Answerer } from '../../electron/engine/generate/answer.js';
import { DEFAULT_PROFILE } from '../../electron/engine/route/profiles.js';
import { Router } from '../../electron/engine/route/router.js';
import { describeRetrieval, type RetrievalFigures } from '../../electron/shared/search.js';
import { keywordCorpus, libraryJargonCorpus, meaningCorpus, writeCorpus, type Passage } from '../../scripts/fixtures/calibration-corpora.js';
import { makeTinyEmbedder } from '../../scripts/fixtures/tiny-embedder.js';
import { CLI, ROOT, tempDir } from '../helpers.js';

const SHARED_EMBEDDER = resolve(ROOT, '..', 'shared', 'models', 'm2v-vocabq-bge-base-64d');
const hasShared = existsSync(SHARED_EMBEDDER);
if (!hasShared) console.log(`[skipped] real 64-d embedder tests: ${SHARED_EMBEDDER} is missing`);

let tmp: ReturnType<typeof tempDir>;
let engine: Engine;
let tinyPath: string;
const open: Library[] = [];

beforeAll(() => {
  tmp = tempDir();
  tinyPath = join(tmp.dir, 'models', 'tiny-embedder');
  makeTinyEmbedder(tinyPath);
  engine = createEngine({ dataDir: join(tmp.dir, 'data') });
});
afterAll(async () => {
  for (const library of open) await library.close();
  tmp.cleanup();
});

async function libraryOf(name: string, passages: Passage[], embedder: string): Promise<Library> {
  const folder = join(tmp.dir, name);
  mkdirSync(folder);
  writeCorpus(folder, passages);
  const library = engine.openLibrary(name, { create: true });
  open.push(library);
  library.addFolder(folder);
  library.useEmbedder(await engine.loadEmbedder(embedder));
  await library.index();
  return library;
}

const ask = async (library: Library, question: string) => {
  const answerer = new Answerer({ library, llm: null, router: new Router([DEFAULT_PROFILE], library.activeEmbedder), resolveAdapter: async (x) => x });
  return (await answerer.ask({ question, remember: false }, () => undefined)).mode;
};

const expectHybridAtLeastBetterList = (f: RetrievalFigures) => expect(f.hybrid).toBeGreaterThanOrEqual(Math.max(f.lexical, f.vector ?? 0));

describe('retrieval calibration on queries a library makes from itself (real SQLite, FTS5, sqlite-vec, transformers.js)', () => {
  let keywords: Library;
  let keywordFigures: RetrievalFigures;
  const parts = keywordCorpus(200);

  beforeAll(async () => {
    keywords = await libraryOf('keywords', parts, tinyPath);
  }, 120_000);

  it('a library of codes and names: fusion leans to keywords, hybrid is at least the better list on held-back queries, and the figures are kept', async () => {
    expect(keywords.retrieval()).toBeNull();
    expect(keywords.calibrationDue()).toBe(true);
    keywordFigures = await keywords.calibrate();
    expect(keywordFigures.questions).toBeGreaterThanOrEqual(70);
    expect(keywordFigures.lexical).toBeGreaterThan((keywordFigures.vector ?? 0) + 0.3);
    expect(keywordFigures.weights.lexical).toBeGreaterThan(keywordFigures.weights.vector);
    expectHybridAtLeastBetterList(keywordFigures);
    expect(keywords.status().retrieval).toEqual(keywordFigures);
    expect(keywords.calibrationDue()).toBe(false);
    expect(describeRetrieval(keywordFigures)).toMatch(/^keywords \d\.\d\d · meaning \d\.\d\d · combined \d\.\d\d, on \d+ questions made from this library$/);
    // The searcher uses what was chosen.
    expect(keywords.calibratedTuning()).toMatchObject({ lexicalWeight: keywordFigures.weights.lexical, vectorWeight: keywordFigures.weights.vector });
  }, 120_000);

  it('made-up words and off-subject questions come back not-found; the library\'s own questions do not', async () => {
    const code = /unit (QX\w+)/.exec(parts[7]!.text)![1]!;
    const name = /said (\w+) /.exec(parts[7]!.text)![1]!;
    const own = [`Who checked unit ${code}?`, `What did ${name} do?`, `${code} ${name}`];
    // Off-subject, but sharing an everyday word ("team", "report") with every passage.
    const offSubject = ['How does the team report the comet orbit seen through a telescope?', 'Which volcano erupted lava and ash over the crater?'];
    const madeUp = ['zorblat quenfid', 'what is a flimbrax trudoon'];

    // Uncalibrated (the fixed floor), an everyday word is enough to "answer" an off-subject question.
    const fresh = await libraryOf('keywords-uncalibrated', parts, tinyPath);
    expect(await ask(fresh, offSubject[0]!)).toBe('search-only');

    for (const q of own) expect(await ask(keywords, q), q).toBe('search-only');
    for (const q of [...offSubject, ...madeUp]) expect(await ask(keywords, q), q).toBe('not-found');
    expect(keywordFigures.threshold.answered).toBeGreaterThanOrEqual(0.9);
    expect(keywordFigures.threshold.refused).toBeGreaterThanOrEqual(0.9);

    const weak = await keywords.searcher().search('zorblat quenfid', { k: 5 });
    expect(weak.results.length).toBeGreaterThan(0);
    expect(weak.results.every((r) => r.weak === true)).toBe(true);
    const strong = await keywords.searcher().search(`Who checked unit ${code}?`, { k: 5 });
    expect(strong.results[0]!.text).toContain(code);
    expect(strong.results[0]!.weak).toBe(false);
  }, 120_000);

  it('is due again once the library changed by more than a tenth, and runs in the background with cancel', async () => {
    const folder = join(tmp.dir, 'keywords');
    writeCorpus(folder, keywordCorpus(30, 99).map((p) => ({ ...p, file: p.file.replace('parts/', 'more/') })));
    await keywords.index();
    expect(keywords.retrieval()!.stale).toBe(true);
    expect(keywords.calibrationDue()).toBe(true);
    const cancelled = keywords.calibrateInBackground();
    await keywords.cancelCalibration();
    expect(await cancelled).toBeNull();
    expect(keywords.retrieval()!.calibratedAt).toBe(keywordFigures.calibratedAt);
    const phases = new Set<string>();
    const again = await keywords.calibrateInBackground({ onProgress: (p) => phases.add(p.phase) });
    expect(again!.stale).toBe(false);
    expect(again!.chunks).toBe(230);
    expect(phases).toEqual(new Set(['queries', 'copying', 'embedding', 'measuring', 'adapter', 'done']));
  }, 180_000);
});

describe('a library where meaning wins', () => {
  it('paraphrases without shared words (tiny embedder): fusion leans to vectors, hybrid at least the better list', async () => {
    const library = await libraryOf('meaning', meaningCorpus(150), tinyPath);
    const figures = await library.calibrate();
    expect(figures.vector!).toBeGreaterThan(figures.lexical + 0.3);
    expect(figures.weights.vector).toBeGreaterThan(figures.weights.lexical);
    expectHybridAtLeastBetterList(figures);
    expect(await ask(library, 'zorblat quenfid')).toBe('not-found');
    expect(await ask(library, 'How does the telescope see the comet and the nebula?')).toBe('not-found');
    expect(await ask(library, 'The doctor and the car were with the money')).toBe('search-only');
  }, 180_000);

  it.skipIf(!hasShared)('paraphrases with the real 64-d embedder: fusion leans to vectors, hybrid at least the better list', async () => {
    const library = await libraryOf('meaning-m2v', meaningCorpus(150), SHARED_EMBEDDER);
    const figures = await library.calibrate();
    expect(figures.vector!).toBeGreaterThan(figures.lexical + 0.3);
    expect(figures.weights.vector).toBeGreaterThan(figures.weights.lexical);
    expectHybridAtLeastBetterList(figures);
    expect(await ask(library, 'zorblat quenfid')).toBe('not-found');
    expect(await ask(library, 'How does the telescope see the comet and the nebula?')).toBe('not-found');
  }, 180_000);
});

describe('the query adapter', () => {
  const queries = ['The price and the river were with the table', 'market mountain chair', 'the bank and the road', 'account bridge paper again'];
  const ranking = async (library: Library) => Promise.all(queries.map(async (q) => (await library.searcher().search(q, { k: 10 })).results.map((r) => [r.chunkId, r.score, r.weak])));

  it('is kept when it raises held-back recall (words only this library uses alike), and switching it off restores the previous ranking exactly', async () => {
    const library = await libraryOf('jargon', libraryJargonCorpus(120), tinyPath);
    const without = await library.calibrate({ trainAdapter: false });
    expect(without.adapter).toBeNull();
    const before = await ranking(library);

    const figures = await library.calibrate();
    expect(figures.adapter!.kept).toBe(true);
    expect(figures.adapterInForce).toBe(true);
    expect(figures.adapter!.vectorWith).toBeGreaterThan(figures.adapter!.vectorWithout + 0.2);
    expect(figures.vector).toBe(figures.adapter!.vectorWith);
    const adapted = await ranking(library);
    expect(adapted).not.toEqual(before);

    library.setQueryAdapterEnabled(false);
    const off = library.retrieval()!;
    expect(off.adapterInForce).toBe(false);
    expect(off.adapter!.enabled).toBe(false);
    expect(off.vector).toBe(without.vector);
    expect(await ranking(library)).toEqual(before);
    library.setQueryAdapterEnabled(true);
    expect(await ranking(library)).toEqual(adapted);
  }, 180_000);

  it('is not kept when the embedder already finds every passage', async () => {
    const library = await libraryOf('meaning-no-adapter', meaningCorpus(120, 5), tinyPath);
    const figures = await library.calibrate();
    expect(figures.adapter).not.toBeNull();
    expect(figures.adapter!.kept).toBe(false);
    expect(figures.adapterInForce).toBe(false);
    expect(library.calibratedTuning().queryAdapter).toBeNull();
  }, 180_000);
});

describe('the quire command', () => {
  it('index calibrates; status --json has `retrieval`; search --explain prints the calibration and --json marks weak results', async () => {
    const folder = join(tmp.dir, 'cli-docs');
    mkdirSync(folder);
    writeCorpus(folder, keywordCorpus(120, 7));
    const dataDir = join(tmp.dir, 'cli-data');
    const quire = (...args: string[]) => execFileSync(process.execPath, [CLI, '--data-dir', dataDir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    quire('index', folder, '--library', 'cli', '--embedder', tinyPath, '--json');
    const status = JSON.parse(quire('status', '--library', 'cli', '--json')) as { retrieval: RetrievalFigures };
    expect(status.retrieval).toMatchObject({ k: 10, stale: false, embedder: 'tiny-embedder:32' });
    expect(status.retrieval.lexical).toBeGreaterThan(status.retrieval.vector!);
    expect(quire('status', '--library', 'cli')).toContain(describeRetrieval(status.retrieval));

    const explained = quire('search', 'zorblat quenfid', '--library', 'cli', '--explain');
    expect(explained).toContain(`calibration: ${describeRetrieval(status.retrieval)}`);
    expect(explained).toMatch(/fusion weights: keywords [\d.]+ · meaning [\d.]+/);
    const weak = JSON.parse(quire('search', 'zorblat quenfid', '--library', 'cli', '--json', '--explain')) as { calibration: RetrievalFigures; results: { weak?: boolean }[] };
    expect(weak.calibration).toEqual(status.retrieval);
    expect(weak.results.length).toBeGreaterThan(0);
    expect(weak.results.every((r) => r.weak === true)).toBe(true);
  }, 180_000);
});
