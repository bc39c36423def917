import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LexicalSearch } from '../../electron/engine/search/lexical.js';
import { ChunkStore } from '../../electron/engine/store/chunks.js';
import { openDatabase, type Db } from '../../electron/engine/store/db.js';
import { DocumentStore } from '../../electron/engine/store/documents.js';
import { FolderStore } from '../../electron/engine/store/folders.js';
import { tempDir } from '../helpers.js';
import { bm25Reference, expectSameRanking, zipfText } from '../zipf-library.js';

// A library above the old pruning size (5,000 chunks) of Zipf-distributed synthetic words, and
// 200 queries of 2-8 words from the same distribution: most hold words found in a third or more
// of the passages. Lexical search must return exactly FTS5's unpruned bm25() top 10.
const CHUNKS = 7_000;
const PER_DOCUMENT = 50;
const VOCABULARY = 5_000;
const QUERIES = 200;

const { random, zipfWord, phrase } = zipfText(42, VOCABULARY);

let tmp: ReturnType<typeof tempDir>;
let db: Db;
const queries: string[] = [];

const reference = (query: string, limit: number) => bm25Reference(db, query, limit);

const frequencies = new Map<string, number>();
const documentFrequency = (word: string): number => {
  if (!frequencies.has(word)) frequencies.set(word, (db.prepare('SELECT COUNT(*) AS n FROM chunks_fts WHERE chunks_fts MATCH ?').get(`"${word}"`) as { n: number }).n);
  return frequencies.get(word)!;
};

beforeAll(() => {
  tmp = tempDir();
  db = openDatabase(join(tmp.dir, 'exact.sqlite'));
  const folderId = new FolderStore(db).upsert('/zipf').id;
  const documents = new DocumentStore(db);
  const chunks = new ChunkStore(db);
  db.transaction(() => {
    for (let d = 0; d < CHUNKS / PER_DOCUMENT; d++) {
      const relativePath = `${zipfWord()}/${zipfWord()}-${d}.md`;
      const documentId = documents.insertPending(folderId, `/zipf/${relativePath}`, relativePath, null);
      const title = phrase(2 + Math.floor(random() * 3));
      chunks.replace(
        documentId,
        Array.from({ length: PER_DOCUMENT }, (_, c) => {
          const text = phrase(40 + Math.floor(random() * 60)) + '.';
          return { text, charStart: 0, charEnd: text.length, page: null, lineStart: c + 1, lineEnd: c + 1, headingPath: c % 3 === 0 ? [title] : [title, phrase(2)], tokenCount: 80 };
        }),
      );
    }
  })();
  while (queries.length < QUERIES) queries.push(phrase(2 + Math.floor(random() * 7)));
});
afterAll(() => {
  db.close();
  tmp.cleanup();
});

describe('exact lexical ranking above the old pruning size', () => {
  it('returns FTS5 bm25() top 10 for 200 Zipf queries with common words, mostly without ranking every match', () => {
    const search = new LexicalSearch(db);
    let common = 0;
    let skipped = 0;
    for (const query of queries) {
      const { hits, terms } = search.search(query, 10);
      expectSameRanking(hits, reference(query, 10), query);
      const evaluation = search.lastEvaluation!;
      expect(evaluation.fallback, query).toBeUndefined();
      expect(evaluation.exact).toBe(true);
      if (evaluation.method === 'maxscore' && evaluation.essential < terms.length) skipped++;
      if (terms.some((t) => documentFrequency(t.word) > CHUNKS / 3)) common++;
    }
    // The test means something: most queries have a word in a third of the passages, and a good
    // share were answered without FTS5 ranking the passages of every word (the rest cost less handed
    // to FTS5 whole, at this size).
    expect(common).toBeGreaterThan(QUERIES / 2);
    expect(skipped).toBeGreaterThan(QUERIES / 3);
  });

  it('is exact for longer candidate lists too (the 50 hybrid search asks for)', () => {
    const search = new LexicalSearch(db);
    for (const query of queries.slice(0, 60)) {
      const { hits } = search.search(query, 50);
      expectSameRanking(hits, reference(query, 50), query);
    }
  });

  it('hybrid search gets the exact keyword list even for a query of common words only (below exactUpTo)', () => {
    const everyday = [...frequencies.entries()].filter(([, n]) => n > CHUNKS / 3).map(([word]) => word).slice(0, 2);
    expect(everyday.length).toBe(2);
    const query = everyday.join(' ');
    const { hits } = new LexicalSearch(db).search(query, 50, { skipCommon: true });
    expectSameRanking(hits, reference(query, 50), query);
  });

  it('above exactUpTo keeps within the posting budget, says when that cut the ranking short, and still scores what it returns exactly', () => {
    const search = new LexicalSearch(db, { exactUpTo: 1_000, postingBudget: 600 });
    // (With `rowid = ?` handed to FTS5, bm25() scores the row differently: the filter is applied after.)
    const exactScore = db.prepare('SELECT -bm25(chunks_fts, 1, 2, 1.5) FROM chunks_fts WHERE chunks_fts MATCH ? AND +rowid = ?').pluck();
    let approximate = 0;
    for (const query of queries.slice(0, 80)) {
      const { hits, terms } = search.search(query, 10);
      if (!search.lastEvaluation!.exact) approximate++;
      const match = terms.map((t) => `"${t.word}"`).join(' OR ');
      for (const hit of hits.slice(0, 3)) expect(Math.abs(hit.score - (exactScore.get(match, hit.chunkId) as number)), query).toBeLessThanOrEqual(1e-9);
      if (search.lastEvaluation!.exact) expectSameRanking(hits, reference(query, 10), query);
    }
    expect(approximate).toBeGreaterThan(0);
  });

  it('stays exact after passages are deleted and added (FTS5 keeps counting deleted rows in its averages)', () => {
    const chunks = new ChunkStore(db);
    const documents = new DocumentStore(db);
    db.transaction(() => {
      chunks.replace(1, []);
      chunks.replace(2, []);
      const documentId = documents.insertPending(1, '/zipf/new/added.md', 'new/added.md', null);
      chunks.replace(
        documentId,
        Array.from({ length: 30 }, () => {
          const text = phrase(60);
          return { text, charStart: 0, charEnd: text.length, page: null, lineStart: 1, lineEnd: 1, headingPath: [], tokenCount: 60 };
        }),
      );
    })();
    const search = new LexicalSearch(db);
    for (const query of queries.slice(0, 60)) {
      const { hits } = search.search(query, 10);
      expectSameRanking(hits, reference(query, 10), query);
      expect(search.lastEvaluation!.fallback, query).toBeUndefined();
    }
  });
});
