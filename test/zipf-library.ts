import { expect } from 'vitest';
import { seededRandom } from '../electron/engine/eval/random.js';
import { queryTerms, withoutStopwords } from '../electron/engine/search/query.js';
import type { Db } from '../electron/engine/store/db.js';

/**
 * Synthetic Zipf-distributed text (s = 1.07) for the lexical tests: `vocabulary` made-up words from
 * one seeded stream, which goes on to draw the passages and queries, so each test's library is the
 * same on every run.
 */
export function zipfText(seed: number, vocabulary: number) {
  const random = seededRandom(seed);
  const syllables = ['ka', 'lo', 'mi', 'nu', 'pe', 'ra', 'so', 'ti', 'vu', 'ze', 'bar', 'dun', 'fel', 'gor', 'hin', 'jas'];
  const words: string[] = [];
  const seen = new Set<string>();
  while (words.length < vocabulary) {
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
  for (let rank = 1; rank <= vocabulary; rank++) cdf.push((sum += rank ** -1.07));
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
  return { random, words, zipfWord, phrase };
}

/** The reference: FTS5's bm25() over every passage with any of the query's words, same weights, ties by chunk id. */
export function bm25Reference(db: Db, query: string, limit: number): { chunkId: number; score: number }[] {
  const match = withoutStopwords(queryTerms(query)).map((t) => `"${t.word}"`).join(' OR ');
  return db
    .prepare('SELECT rowid AS chunkId, -bm25(chunks_fts, 1, 2, 1.5) AS score FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts, 1, 2, 1.5), rowid LIMIT ?')
    .all(match, limit) as { chunkId: number; score: number }[];
}

/** Same ranking: equal ids in order, except where scores tie within 1e-9; same scores within 1e-9. */
export function expectSameRanking(actual: { chunkId: number; score: number }[], expected: { chunkId: number; score: number }[], query: string): void {
  expect(actual.length, query).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i]!.score - expected[i]!.score), `${query} #${i + 1}`).toBeLessThanOrEqual(1e-9);
    if (actual[i]!.chunkId !== expected[i]!.chunkId) {
      const tied = actual.find((a) => a.chunkId === expected[i]!.chunkId);
      expect(tied && Math.abs(tied.score - expected[i]!.score) <= 1e-9, `${query} #${i + 1}`).toBe(true);
    }
  }
}
