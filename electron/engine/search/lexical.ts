import type { Db } from '../store/db.js';
import { ftsLiteral, MAX_QUERY_TERMS, queryTerms, withoutStopwords, type QueryTerm } from './query.js';

export interface LexicalHit {
  chunkId: number;
  /** BM25, higher is better. */
  score: number;
}

export interface LexicalOptions {
  /** Column weights for BM25: chunk text, heading path, file name. */
  weights?: [text: number, heading: number, file: number];
  /**
   * Terms found in more than this share of chunks are dropped when rarer terms remain: they
   * barely change the ranking and make every query touch most of the index.
   */
  commonTermShare?: number;
  /** ...but only in libraries of at least this many chunks, where it matters for speed. */
  pruneAbove?: number;
}

export const DEFAULT_LEXICAL: Required<LexicalOptions> = { weights: [1, 2, 1.5], commonTermShare: 0.1, pruneAbove: 20_000 };

/** BM25 over the FTS5 index, any-term (OR) matching, ranked by SQLite. */
export class LexicalSearch {
  private readonly options: Required<LexicalOptions>;

  constructor(
    private readonly db: Db,
    options: LexicalOptions = {},
  ) {
    this.options = { ...DEFAULT_LEXICAL, ...options };
  }

  /** The terms a query is searched with after dropping over-common ones (also used for highlighting). */
  plan(query: string): QueryTerm[] {
    let terms = withoutStopwords(queryTerms(query));
    if (terms.length === 0) return [];
    const total = this.chunkCount();
    if (total < this.options.pruneAbove) return terms.slice(0, MAX_QUERY_TERMS);
    const frequency = this.db.prepare('SELECT doc FROM chunks_terms WHERE term = ?').pluck();
    const withDf = terms.map((term) => ({ term, df: (frequency.get(term.stem) as number | undefined) ?? 0 }));
    withDf.sort((a, b) => a.df - b.df);
    const rare = withDf.filter((t) => t.df <= total * this.options.commonTermShare);
    const kept = rare.length > 0 ? rare : withDf.slice(0, 2);
    terms = kept.slice(0, MAX_QUERY_TERMS).map((t) => t.term);
    return terms;
  }

  search(query: string, limit: number): { hits: LexicalHit[]; terms: QueryTerm[] } {
    const terms = this.plan(query);
    if (terms.length === 0 || limit <= 0) return { hits: [], terms };
    const match = terms.map((t) => ftsLiteral(t.word)).join(' OR ');
    const [w1, w2, w3] = this.options.weights;
    const hits = this.db
      .prepare(`SELECT rowid AS chunkId, -bm25(chunks_fts, ?, ?, ?) AS score FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts, ?, ?, ?) LIMIT ?`)
      .all(w1, w2, w3, match, w1, w2, w3, limit) as LexicalHit[];
    return { hits, terms };
  }

  private chunkCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM chunks').get() as { n: number }).n;
  }
}
