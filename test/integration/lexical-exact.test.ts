import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LexicalSearch } from '../../electron/engine/search/lexical.js';
import { queryTerms, withoutStopwords } from '../../electron/engine/search/query.js';
import { ChunkStore } from '../../electron/engine/store/chunks.js';
import { openDatabase, type Db } from '../../electron/engine/store/db.js';
import { DocumentStore } from '../../electron/engine/store/documents.js';
import { FolderStore } from '../../electron/engine/store/folders.js';
import { tempDir } from '../helpers.js';
import { seededRandom } from '../../electron/engine/eval/random.js';

// A library above the old pruning size (5,000 chunks) of Zipf-distributed synthetic words, and
// 200 queries of 2-8 words from the same distribution: most hold words found in a third or more
// of the passages. Lexical search must return exactly FTS5's unpruned bm25() top 10.
const CHUNKS = 7_000;
const PER_DOCUMENT = 50;
const VOCABULARY = 5_000;
const QUERIES = 200;

const random = seededRandom(42);
const syllables = ['ka', 'lo', 'mi', 'nu', 'pe', 'ra', 'so', 'ti', 'vu', 'ze', 'bar', 'dun', 'fel', 'gor', 'hin', 'jas'];
const words: string[] = [];
const seen = new Set<string>();
while (words.length < VOCABULARY) {
  const length = words.length < 100 ? 1 + Math.floor(random() * 2) : 2 + Math.floor(random() * 3);
  let word = '';
  for (let i = 0; i < length; i++) word += syllables[Math.floor(random() * syllables.length)];
  // Endings a Porter stemmer would fold onto another word are avoided: each word is its own term.
  if (seen.has(word) || /(s|e|y|ed|ing|al|ic|er|ous|ive|ent|ion)$/.test(word) || word.length < 3) continue;
  seen.add(word);
  words.push(word);
}
const cdf: number[] = [];
let sum = 0;
for (let rank = 1; rank <= VOCABULARY; rank++) cdf.push((sum += rank ** -1.07));
const zipfWord = (): string => {
  const u = random() * sum;
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return words[lo]!;
};
const phrase = (count: number): string => Array.from({ length: count }, zipfWord).join(' ');

let tmp: ReturnType<typeof tempDir>;
let db: Db;
const queries: string[] = [];

/** The reference: FTS5's bm25() over every passage with any of the query's words, same weights, ties by chunk id. */
function reference(query: string, limit: number): { chunkId: number; score: number }[] {
  const match = withoutStopwords(queryTerms(query)).map((t) => `"${t.word}"`).join(' OR ');
  return db
    .prepare('SELECT rowid AS chunkId, -bm25(chunks_fts, 1, 2, 1.5) AS score FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts, 1, 2, 1.5), rowid LIMIT ?')
    .all(match, limit) as { chunkId: number; score: number }[];
}

const frequencies = new Map<string, number>();
const documentFrequency = (word: string): number => {
  if (!frequencies.has(word)) frequencies.set(word, (db.prepare('SELECT COUNT(*) AS n FROM chunks_fts WHERE chunks_fts MATCH ?').get(`"${word}"`) as { n: number }).n);
  return frequencies.get(word)!;
};

/** Same ranking: equal ids in order, except where scores tie within 1e-9; same scores within 1e-9. */
function expectSameRanking(actual: { chunkId: number; score: number }[], expected: { chunkId: number; score: number }[], query: string): void {
  expect(actual.length, query).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i]!.score - expected[i]!.score), `${query} #${i + 1}`).toBeLessThanOrEqual(1e-9);
    if (actual[i]!.chunkId !== expected[i]!.chunkId) {
      // A tie: the reference's passage must be among ours with the same score.
      const tied = actual.find((a) => a.chunkId === expected[i]!.chunkId);
      expect(tied && Math.abs(tied.score - expected[i]!.score) <= 1e-9, `${query} #${i + 1}`).toBe(true);
    }
  }
}

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
