import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonWordsRecord, refreshCommonWords } from '../../electron/engine/search/common-words.js';
import { LexicalSearch } from '../../electron/engine/search/lexical.js';
import { stemOf } from '../../electron/engine/search/query.js';
import { ChunkStore, type NewChunk } from '../../electron/engine/store/chunks.js';
import { openDatabase, type Db } from '../../electron/engine/store/db.js';
import { DocumentStore } from '../../electron/engine/store/documents.js';
import { FolderStore } from '../../electron/engine/store/folders.js';
import { tempDir } from '../helpers.js';
import { bm25Reference, expectSameRanking, zipfText } from '../zipf-library.js';

// A library of Zipf-distributed synthetic words with common-word postings built (as after
// indexing), changed afterwards: every search must still return exactly FTS5's bm25() top k.
const CHUNKS = 6_000;
const PER_DOCUMENT = 50;
const VOCABULARY = 4_000;

const { random, words, zipfWord, phrase } = zipfText(7, VOCABULARY);
const chunk = (text: string, headingPath: string[]): NewChunk => ({ text, charStart: 0, charEnd: text.length, page: null, lineStart: 1, lineEnd: 1, headingPath, tokenCount: 80 });

let tmp: ReturnType<typeof tempDir>;
let db: Db;
let documents: DocumentStore;
let chunks: ChunkStore;
let folderId: number;
const queries: string[] = [];

function addDocument(relativePath: string, texts: string[], heading: string[] = []): number[] {
  const documentId = documents.insertPending(folderId, `/zipf/${relativePath}`, relativePath, null);
  return chunks.replace(documentId, texts.map((text) => chunk(text, heading)));
}

const reference = (query: string, limit: number) => bm25Reference(db, query, limit);

const hasPostings = (word: string): boolean =>
  db.prepare('SELECT 1 FROM common_word_postings WHERE stem = ? LIMIT 1').pluck().get(stemOf(word)) !== undefined;
/** Queries of 2-4 words that all have postings. */
const everydayQueries = (): string[] => {
  const common = words.filter(hasPostings);
  return Array.from({ length: 20 }, (_, q) => Array.from({ length: 2 + (q % 3) }, (_, i) => common[(q * 7 + i * 13) % common.length]!).join(' '));
};

function expectExact(search: LexicalSearch, list: readonly string[], limit = 10): Map<string, number> {
  const methods = new Map<string, number>();
  for (const query of list) {
    const { hits } = search.search(query, limit);
    expectSameRanking(hits, reference(query, limit), query);
    const evaluation = search.lastEvaluation!;
    expect(evaluation.fallback, query).toBeUndefined();
    expect(evaluation.exact, query).toBe(true);
    methods.set(evaluation.method, (methods.get(evaluation.method) ?? 0) + 1);
  }
  return methods;
}

beforeAll(async () => {
  tmp = tempDir();
  db = openDatabase(join(tmp.dir, 'postings.sqlite'));
  folderId = new FolderStore(db).upsert('/zipf').id;
  documents = new DocumentStore(db);
  chunks = new ChunkStore(db);
  db.transaction(() => {
    for (let d = 0; d < CHUNKS / PER_DOCUMENT; d++) {
      const title = phrase(2 + Math.floor(random() * 3));
      addDocument(`${zipfWord()}/${zipfWord()}-${d}.md`, Array.from({ length: PER_DOCUMENT }, () => phrase(40 + Math.floor(random() * 60)) + '.'), [title]);
    }
  })();
  while (queries.length < 200) queries.push(phrase(2 + Math.floor(random() * 7)));
  const built = await refreshCommonWords(db);
  expect(built.kind).toBe('full');
  expect(built.words).toBeGreaterThan(50);
});
afterAll(() => {
  db.close();
  tmp.cleanup();
});

describe('words in half the passages or more, counted only within reach of the top k', () => {
  // 3,001 passages of about 300 tokens, all with the three "faint" words (FTS5 IDF 1e-6); "beta" in
  // 1,500 of them (IDF 6.7e-4, just under half), so one more token of length lowers a passage's beta score by
  // about 0.8e-6, less than what many faint words add. The passage with 20 of each faint word is 2
  // tokens longer than the best beta passages: 12 passages have a better beta score, yet it is 4th.
  it('finds a passage that only its faint words lift above the k best of the others', async () => {
    const dir = tempDir();
    const small = openDatabase(join(dir.dir, 'faint.sqlite'));
    try {
      const store = new ChunkStore(small);
      const docs = new DocumentStore(small);
      const folder = new FolderStore(small).upsert('/faint').id;
      const faint = ['alpha', 'gamma', 'delta'];
      const text = (beta: boolean, length: number, faintEach: number, d: number): string => {
        const parts = [...(beta ? ['beta'] : []), ...faint.flatMap((w) => Array<string>(faintEach).fill(w))];
        while (parts.length < length) parts.push(`fill${d % 97}`);
        return parts.join(' ');
      };
      let lifted = 0;
      small.transaction(() => {
        for (let d = 0; d < 3_000; d++) {
          const documentId = docs.insertPending(folder, `/faint/${d}.md`, `${d}.md`, null);
          // Beta passages of lengths 300-799 tokens (plus the file name), three or so of each; the others 300.
          const beta = d % 2 === 0 && d < 2_998;
          store.replace(documentId, [chunk(text(beta, beta ? 300 + ((d / 2) % 500) : 300, 1, d), [])]);
        }
        const documentId = docs.insertPending(folder, '/faint/lifted.md', 'lifted.md', null);
        lifted = store.replace(documentId, [chunk(text(true, 304, 20, 0), [])])[0]!;
      })();
      expect((await refreshCommonWords(small, { buildAbove: 1_000 })).kind).toBe('full');
      // At this size adding up the faint words' postings costs less than counting them from text; told otherwise, it counts.
      const search = new LexicalSearch(small, { postingsPerCompletion: 10 });
      const query = 'alpha beta gamma delta';
      const { hits } = search.search(query, 10);
      const match = '"alpha" OR "beta" OR "gamma" OR "delta"';
      const expected = small.prepare('SELECT rowid AS chunkId, -bm25(chunks_fts, 1, 2, 1.5) AS score FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts, 1, 2, 1.5), rowid LIMIT 10').all(match) as { chunkId: number; score: number }[];
      expect(expected[3]!.chunkId).toBe(lifted);
      expectSameRanking(hits, expected, query);
      expect(search.lastEvaluation!.method).toBe('postings');
      expect(search.lastEvaluation!.completed).toBeGreaterThan(0);
      expect(search.lastEvaluation!.completed).toBeLessThanOrEqual(74);
    } finally {
      small.close();
      dir.cleanup();
    }
  });
});

describe('lexical search with common-word postings', () => {
  it('scores common words from the postings and returns FTS5 bm25() top 10 for 200 Zipf queries', async () => {
    const methods = expectExact(new LexicalSearch(db), queries);
    expect(methods.get('postings') ?? 0).toBeGreaterThan(150);
  });

  it('and so when words in half the passages are counted from text wherever they could be (not only where that is cheaper)', () => {
    const search = new LexicalSearch(db, { postingsPerCompletion: 1 });
    let counted = 0;
    for (const query of queries) {
      const { hits } = search.search(query, 10);
      expectSameRanking(hits, reference(query, 10), query);
      if (search.lastEvaluation!.method === 'postings' && search.lastEvaluation!.completed > 0) counted++;
    }
    expect(counted).toBeGreaterThan(50);
  });

  it('answers a query of common words only from the postings, with FTS5 ranking no passage', async () => {
    const search = new LexicalSearch(db);
    for (const query of everydayQueries()) {
      const { hits } = search.search(query, 10);
      expectSameRanking(hits, reference(query, 10), query);
      expect(search.lastEvaluation, query).toMatchObject({ method: 'postings', essential: 0, exact: true });
    }
  });

  it('counts words in half the passages or more (FTS5 IDF 1e-6) from text only in the passages within reach of the top k', async () => {
    const rows = db.prepare('SELECT COUNT(*) FROM chunks').pluck().get() as number;
    const df = (word: string) => db.prepare('SELECT COUNT(*) FROM chunks_fts WHERE chunks_fts MATCH ?').pluck().get(`"${word}"`) as number;
    const faint = words.filter((w) => hasPostings(w) && df(w) > rows / 2).slice(0, 3);
    const strong = words.filter((w) => hasPostings(w) && df(w) < rows / 4).slice(0, 6);
    expect(faint.length).toBe(3);
    const search = new LexicalSearch(db, { postingsPerCompletion: 10 });
    let counted = 0;
    for (const [i, word] of strong.entries()) {
      const query = `${faint[i % 3]} ${word} ${faint[(i + 1) % 3]}`;
      const { hits } = search.search(query, 10);
      expectSameRanking(hits, reference(query, 10), query);
      const evaluation = search.lastEvaluation!;
      expect(evaluation.method, query).toBe('postings');
      if (evaluation.completed > 0 && evaluation.completed <= 74) counted++;
    }
    expect(counted).toBeGreaterThan(0);
    // Faint words alone: every passage is within reach, so their postings are added up.
    const query = faint.join(' ');
    expectSameRanking(search.search(query, 10).hits, reference(query, 10), query);
    expect(search.lastEvaluation).toMatchObject({ method: 'postings', completed: 0 });
  });

  it('is exact for the 50 candidates hybrid search asks for', async () => {
    expectExact(new LexicalSearch(db), queries.slice(0, 60), 50);
  });

  it('stays exact with passages added and removed since the refresh (a reused chunk id too), and after the next refresh', async () => {
    const everyday = everydayQueries();
    const generation = commonWordsRecord(db)!.generation;
    const lastDocument = db.prepare('SELECT document_id FROM chunks ORDER BY id DESC LIMIT 1').pluck().get() as number;
    const lastIds = new Set(db.prepare('SELECT id FROM chunks WHERE document_id = ?').pluck().all(lastDocument) as number[]);
    let added: number[] = [];
    db.transaction(() => {
      chunks.replace(lastDocument, []);
      chunks.replace(3, []);
      // Short passages dense in the words of the everyday queries: they belong in their top 10.
      added = addDocument('new/dense.md', Array.from({ length: 40 }, (_, i) => `${everyday[i % everyday.length]} ${everyday[i % everyday.length]} ${phrase(2)}`));
    })();
    expect(added.some((id) => lastIds.has(id)), 'a removed chunk id was used again').toBe(true);
    const search = new LexicalSearch(db);
    for (const query of [...everyday, ...queries.slice(0, 80)]) {
      const { hits } = search.search(query, 10);
      expectSameRanking(hits, reference(query, 10), query);
      expect(search.lastEvaluation!.fallback, query).toBeUndefined();
    }
    // The added passages were scored from their text, and some made the top 10.
    search.search(everyday[0]!, 10);
    expect(search.lastEvaluation!.method).toBe('postings');
    expect(search.lastEvaluation!.completed).toBeGreaterThanOrEqual(40);
    const dense = new Set(added);
    expect(everyday.every((query) => search.search(query, 10).hits.some((h) => dense.has(h.chunkId)))).toBe(true);

    const refreshed = await refreshCommonWords(db);
    expect(refreshed.kind).toBe('added');
    expect(commonWordsRecord(db)!.generation).toBe(generation + 1);
    expect(expectExact(search, [...everyday, ...queries.slice(0, 80)]).get('postings') ?? 0).toBeGreaterThan(60);
    search.search(everyday[0]!, 10);
    expect(search.lastEvaluation!.method).toBe('postings');
    expect(search.lastEvaluation!.completed).toBeLessThan(40);

    // A passage removed after the refresh that added it: its postings of that generation are void too.
    db.transaction(() => chunks.replace(db.prepare('SELECT document_id FROM chunks WHERE id = ?').pluck().get(added[0]) as number, []))();
    expectExact(search, [...everyday, ...queries.slice(80, 120)]);
  });

  it('does without the postings while too many passages were added since (still exact), and uses them again once refreshed', async () => {
    db.transaction(() => {
      for (let d = 0; d < 6; d++) addDocument(`more/batch-${d}.md`, Array.from({ length: 60 }, () => phrase(50)));
    })();
    const search = new LexicalSearch(db);
    const everyday = everydayQueries();
    expect(expectExact(search, everyday).get('postings')).toBeUndefined();
    expect((await refreshCommonWords(db)).kind).toBe('added');
    expect(expectExact(search, everyday).get('postings')).toBe(everyday.length);
  });

  it('rebuilds from scratch once removals pile up', async () => {
    db.transaction(() => {
      for (let d = 10; d < 24; d++) chunks.replace(d, []);
    })();
    const before = commonWordsRecord(db)!.generation;
    expect((await refreshCommonWords(db)).kind).toBe('full');
    expect(commonWordsRecord(db)).toMatchObject({ generation: before + 1, base: before + 1 });
    expect(db.prepare('SELECT COUNT(*) FROM common_word_removed').pluck().get()).toBe(0);
    expect(db.prepare('SELECT COUNT(DISTINCT generation) FROM common_word_postings').pluck().get()).toBe(1);
    expectExact(new LexicalSearch(db), [...everydayQueries(), ...queries.slice(0, 60)]);
  });

  it('stays exact when the library changes while the postings are being built, searched in between', async () => {
    const search = new LexicalSearch(db);
    const everyday = everydayQueries();
    const check = (): void => void expectExact(search, [...everyday.slice(0, 8), ...queries.slice(120, 140)]);
    const documentOf = (id: number): number => db.prepare('SELECT document_id FROM chunks WHERE id = ?').pluck().get(id) as number;
    const lastId = (): number => db.prepare('SELECT max(id) FROM chunks').pluck().get() as number;
    const firstId = db.prepare('SELECT min(id) FROM chunks').pluck().get() as number;
    // Removals pile up again, so this refresh is a full build (read 2,000 passages at a time).
    db.transaction(() => {
      for (let d = 30; d < 44; d++) chunks.replace(d, []);
    })();
    const lastBefore = lastId();
    const building = refreshCommonWords(db);
    await new Promise((done) => setImmediate(done));
    // The first batch is read: remove a passage it read and one it has not read yet, remove the
    // last document and add one that reuses its chunk ids, dense in everyday words.
    let added: number[] = [];
    db.transaction(() => {
      chunks.replace(documentOf(firstId), []);
      chunks.replace(documentOf(lastBefore - 200), []);
      chunks.replace(documentOf(lastBefore), []);
      added = addDocument('new/during.md', Array.from({ length: 20 }, (_, i) => `${everyday[i % everyday.length]} ${everyday[i % everyday.length]} ${phrase(2)}`));
    })();
    expect(added[0]).toBeLessThanOrEqual(lastBefore);
    check();
    await new Promise((done) => setImmediate(done));
    check();
    expect((await building).kind).toBe('full');
    // The passages added during the build stay listed (scored from their text) until the next refresh.
    expect(db.prepare('SELECT COUNT(*) FROM common_word_added').pluck().get()).toBe(added.length);
    check();
    expect(search.lastEvaluation!.method).toBe('postings');
    expect((await refreshCommonWords(db)).kind).toBe('added');
    expect(db.prepare('SELECT COUNT(*) FROM common_word_added').pluck().get()).toBe(0);
    check();
  });
});
