import type { SearchResult } from '../electron/engine/search/searcher.js';

/** A search result as the answer pipeline receives it, for tests of packing and citations. */
export function fakeResult(n: number, text: string): SearchResult {
  return {
    chunkId: n, documentId: n, path: `/docs/file-${n}.txt`, relativePath: `file-${n}.txt`, kind: 'text', score: 1 / n, text,
    snippet: text.slice(0, 50), highlights: [], page: null, lines: [1, 3], headingPath: [], ranks: { lexical: n },
  };
}
