import { statement, type Db } from '../store/db.js';
import { fold, queryTerms, stemOf, withoutStopwords } from './query.js';

/**
 * How much of a query a passage covers: the share of the query's content words it contains, each
 * weighted by its BM25 inverse document frequency in the library. A word the library has never
 * seen (a made-up word) weighs the most, so a query of such words covers nothing anywhere, while
 * a passage holding a query's rare code or name covers most of it. 0..1, comparable across queries
 * and libraries, unlike a BM25 score.
 */
export class Coverage {
  private readonly idfs = new Map<string, number>();
  private readonly total: number;

  constructor(private readonly db: Db) {
    this.total = (statement(db, 'SELECT COUNT(*) AS n FROM chunks').get() as { n: number }).n;
  }

  /** The query's content words with their weights. */
  terms(query: string): WeightedTerms {
    const terms = withoutStopwords(queryTerms(query));
    const stems = new Map<string, number>();
    for (const t of terms) stems.set(t.stem, this.idf(t.stem));
    let total = 0;
    for (const w of stems.values()) total += w;
    return { stems, total };
  }

  /** Share (by weight) of the query's words found in `text` (a passage with its heading path and file name). */
  of(query: WeightedTerms, text: string): number {
    if (query.total <= 0) return 0;
    const found = new Set<string>();
    let covered = 0;
    for (const word of fold(text).match(/[\p{L}\p{N}]+/gu) ?? []) {
      const stem = stemOf(word);
      const weight = query.stems.get(stem);
      if (weight !== undefined && !found.has(stem)) {
        found.add(stem);
        covered += weight;
        if (found.size === query.stems.size) break;
      }
    }
    return covered / query.total;
  }

  private idf(stem: string): number {
    let idf = this.idfs.get(stem);
    if (idf === undefined) {
      const df = (statement(this.db, 'SELECT doc FROM chunks_terms WHERE term = ?').pluck().get(stem) as number | undefined) ?? 0;
      idf = Math.log(1 + (this.total - df + 0.5) / (df + 0.5));
      this.idfs.set(stem, idf);
    }
    return idf;
  }
}

export interface WeightedTerms {
  stems: Map<string, number>;
  total: number;
}

/** A passage as the index sees it for coverage: text, heading path and file name. */
export function coverageText(text: string, headingPath: readonly string[], relativePath: string): string {
  return `${text}\n${headingPath.join(' ')}\n${relativePath}`;
}
