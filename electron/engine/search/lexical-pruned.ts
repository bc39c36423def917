// The lexical planner Quire used until the exact evaluator (lexical.ts) replaced it: above 5,000 chunks it
// drops common terms and keeps the rarest within a posting budget, so its ranking is approximate.
// Kept only so that scripts/bench-search.ts can compare against it; nothing in the app uses it.
import { changeStamp, statement, type Db } from '../store/db.js';
import { ftsLiteral, MAX_QUERY_TERMS, queryTerms, withoutStopwords, type QueryTerm } from './query.js';

interface LexicalHit {
  chunkId: number;
  /** BM25, higher is better. */
  score: number;
}

export interface PruningOptions {
  /** Column weights for BM25: chunk text, heading path, file name. */
  weights?: [text: number, heading: number, file: number];
  /**
   * Terms found in more than this share of chunks (or in more than `postings.max` chunks) are
   * dropped when rarer terms remain: they barely change the ranking and make every query touch
   * most of the index.
   */
  commonTermShare?: number;
  /** ...but only in libraries of at least this many chunks, where it matters for speed. */
  pruneAbove?: number;
  /**
   * Of the remaining terms, the rarest are kept while the chunks they match add up to at most
   * `share` of the library, within [min, max] (the rarest term always): BM25 ranking costs
   * 1–1.5 µs per matching chunk, about 20 times what finding the matches costs.
   */
  postings?: { share: number; min: number; max: number };
}

export const DEFAULT_PRUNING: Required<PruningOptions> = {
  weights: [1, 2, 1.5],
  commonTermShare: 0.1,
  pruneAbove: 5_000,
  postings: { share: 0.05, min: 5_000, max: 20_000 },
};

/**
 * Document frequencies per database (counted up to a cap), shared by the searchers created per
 * query. Dropped once the chunk count has moved by more than 5%, which bounds how stale a pruning
 * decision can be.
 */
const frequencies = new WeakMap<Db, { total: number; df: Map<string, { count: number; cap: number }> }>();

/** Chunk counts per database, counted again only after a change (COUNT(*) takes milliseconds at a million chunks). */
const counts = new WeakMap<Db, { stamp: string; count: number }>();

interface PruningPlan {
  terms: QueryTerm[];
  /** Every term is in more than `commonTermShare` of the chunks: BM25 barely ranks them, and matching them touches most of the index. */
  common: boolean;
}

/** BM25 over the FTS5 index, any-term (OR) matching, ranked by SQLite. */
export class PruningLexicalSearch {
  private readonly options: Required<PruningOptions>;

  constructor(
    private readonly db: Db,
    options: PruningOptions = {},
  ) {
    this.options = { ...DEFAULT_PRUNING, ...options };
  }

  /** The terms a query is searched with after dropping over-common ones (also used for highlighting). */
  plan(query: string): QueryTerm[] {
    return this.planQuery(query, { skipCommon: true }).terms;
  }

  /**
   * `skipCommon`: the caller will not search a query whose every term is common, so those terms
   * need not be ordered by their exact frequencies (which costs reading their whole doclists).
   */
  planQuery(query: string, { skipCommon = false }: { skipCommon?: boolean } = {}): PruningPlan {
    const terms = withoutStopwords(queryTerms(query));
    if (terms.length === 0) return { terms, common: false };
    const total = this.chunkCount();
    if (total < this.options.pruneAbove) return { terms: terms.slice(0, MAX_QUERY_TERMS), common: false };
    const { share, min, max } = this.options.postings;
    const budget = Math.min(Math.max(total * share, min), max);
    // Past the largest posting budget a term could only ever be searched alone, at great cost.
    const commonAbove = Math.min(total * this.options.commonTermShare, max);
    const withDf = terms.map((term) => ({ term, df: this.documentFrequency(term, total, Math.floor(commonAbove) + 1) }));
    withDf.sort((a, b) => a.df - b.df);
    const rare = withDf.filter((t) => t.df <= commonAbove);
    if (rare.length === 0) {
      if (skipCommon) return { terms: withDf.slice(0, 2).map((t) => t.term), common: true };
      // The rarest common word, and the next only if it is in at most twice as many passages.
      for (const t of withDf) t.df = this.documentFrequency(t.term, total, Infinity);
      withDf.sort((a, b) => a.df - b.df);
      const [first, second] = withDf;
      return { terms: second && second.df <= 2 * first!.df ? [first!.term, second.term] : [first!.term], common: true };
    }
    const kept: QueryTerm[] = [];
    let postings = 0;
    for (const t of rare.slice(0, MAX_QUERY_TERMS)) {
      if (kept.length > 0 && postings + t.df > budget) break;
      kept.push(t.term);
      postings += t.df;
    }
    return { terms: kept, common: false };
  }

  /** `skipCommon`: no hits for a query whose every term is common (hybrid search then ranks by vectors alone). */
  search(query: string, limit: number, options: { skipCommon?: boolean } = {}): { hits: LexicalHit[]; terms: QueryTerm[] } {
    const { terms, common } = this.planQuery(query, options);
    if (terms.length === 0 || limit <= 0 || (common && options.skipCommon)) return { hits: [], terms };
    const match = terms.map((t) => ftsLiteral(t.word)).join(' OR ');
    const [w1, w2, w3] = this.options.weights;
    const hits = statement(this.db, `SELECT rowid AS chunkId, -bm25(chunks_fts, ?, ?, ?) AS score FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts, ?, ?, ?) LIMIT ?`)
      .all(w1, w2, w3, match, w1, w2, w3, limit) as LexicalHit[];
    return { hits, terms };
  }

  /**
   * Chunks containing the term, counted up to `cap` (a count of `cap` means at least that many):
   * counting stops there, where reading a common term's whole doclist takes tens of milliseconds at
   * a million chunks.
   */
  private documentFrequency(term: QueryTerm, total: number, cap: number): number {
    let cache = frequencies.get(this.db);
    if (!cache || Math.abs(total - cache.total) > cache.total * 0.05 || cache.df.size > 100_000) {
      cache = { total, df: new Map() };
      frequencies.set(this.db, cache);
    }
    const known = cache.df.get(term.stem);
    if (known && (known.count < known.cap || known.cap >= cap)) return Math.min(known.count, cap);
    const count =
      cap === Infinity
        ? ((statement(this.db, 'SELECT doc FROM chunks_terms WHERE term = ?').pluck().get(term.stem) as number | undefined) ?? 0)
        : (statement(this.db, 'SELECT COUNT(*) FROM (SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT ?)').pluck().get(ftsLiteral(term.word), cap) as number);
    cache.df.set(term.stem, { count, cap });
    return count;
  }

  private chunkCount(): number {
    const stamp = changeStamp(this.db);
    let cached = counts.get(this.db);
    if (cached?.stamp !== stamp) counts.set(this.db, (cached = { stamp, count: (statement(this.db, 'SELECT COUNT(*) AS n FROM chunks').get() as { n: number }).n }));
    return cached.count;
  }
}
