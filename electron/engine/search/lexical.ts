import { changeStamp, statement, type Db } from '../store/db.js';
import { ADDED_READ, commonWords, type CommonWords } from './common-words.js';
import { fts5ColumnSizes, fts5Totals } from './fts5-stats.js';
import { ftsLiteral, MAX_QUERY_TERMS, queryTerms, indexedColumnWords, stemOf, withoutStopwords, type QueryTerm } from './query.js';

export interface LexicalHit {
  chunkId: number;
  /** BM25, higher is better: FTS5's `bm25()` with the column weights, negated. */
  score: number;
}

export interface LexicalOptions {
  /** Column weights for BM25: chunk text, heading path, file name. */
  weights?: [text: number, heading: number, file: number];
  /**
   * Hybrid search (`skipCommon`) gives no lexical list for a query whose every word is in more
   * than this share of the chunks: BM25 barely tells such passages apart...
   */
  commonTermShare?: number;
  /**
   * ...in libraries of at least this many chunks: the size above which lexical ranking is
   * approximate anyway (`exactUpTo`), so that up to it hybrid always fuses the exact keyword list
   * and never falls below keywords on a query of everyday words.
   */
  pruneAbove?: number;
  /**
   * Up to this many chunks the ranking is always exactly FTS5's `bm25()` top k. Above it, the
   * words whose passages are read in full (the rare ones, see `search`) are the rarest whose
   * passages add up to at most `postingBudget`, even when exactness would need more of them.
   */
  exactUpTo?: number;
  postingBudget?: number;
  /**
   * What counting a passage's words from its text costs, in common-word postings added up
   * (measured: about 5,000). Words in half the passages or more are counted from text in the
   * passages within their reach of the top k only when that costs less than adding up their postings.
   */
  postingsPerCompletion?: number;
}

/** The share of plain FTS5's predicted cost a MaxScore search may spend before handing the search to FTS5 whole. */
const PLAIN_SHARE = 0.5;

export const DEFAULT_LEXICAL: Required<LexicalOptions> = {
  weights: [1, 2, 1.5],
  commonTermShare: 0.1,
  pruneAbove: 200_000,
  exactUpTo: 200_000,
  postingBudget: 20_000,
  postingsPerCompletion: 5_000,
};

export interface LexicalPlan {
  terms: QueryTerm[];
  /** Every term is in more than `commonTermShare` of the chunks. */
  common: boolean;
}

/** How the last search was evaluated. */
export interface LexicalEvaluation {
  /**
   * `plain`: FTS5 ranked every matching passage; `maxscore`: rare words first, common ones only
   * where they could matter; `postings`: FTS5 ranked the rare words' passages, the common words
   * were scored from their stored postings (`common-words.ts`).
   */
  method: 'plain' | 'maxscore' | 'postings';
  /** Words whose every passage was ranked by FTS5 (all of them for `plain`). */
  essential: number;
  /** Passages whose common words were counted here. */
  completed: number;
  /** False only above `exactUpTo`, when the posting budget cut the essential words short of what exactness needed. */
  exact: boolean;
  /** Why a `maxscore` search fell back to `plain`, if it did (scores disagreed, unknown format). */
  fallback?: string;
  /** Why a search was handed to FTS5 whole because that was cheaper (same result). */
  cheaper?: string;
}

// FTS5's bm25() constants (fts5_aux.c).
const K1 = 1.2;
const B = 0.75;
const TABLE = 'chunks_fts';
const COLUMNS = 3;
/** What counting one passage's words costs, in passages FTS5 ranks (measured: 40-60). */
const COMPLETION_COST = 60;
/** Passages added since the common-word postings were refreshed that a search scores from their text; with more, it does without the postings. */
const MAX_ADDED = Math.min(256, ADDED_READ - 1);
/** Passages FTS5 may rank for the rare words when the common ones are scored from postings (more: words grew common since the build). */
const RARE_POSTINGS = 50_000;
/** FTS5's IDF for a word in half the passages or more. */
const FAINT_IDF = 1e-6;
/** Passages beyond the k best whose faint words a search counts from their text; with more within reach, it adds up the faint words' postings instead. */
const FAINT_COMPLETIONS = 64;
/** Scores computed here must agree with FTS5's to this (relative) tolerance, or the search falls back to FTS5 alone. */
const AGREEMENT = 1e-9;

/** Matching-passage counts per database, valid for one change stamp. `exact` is false when counting stopped at `count`. */
const frequencies = new WeakMap<Db, { stamp: string; df: Map<string, { count: number; exact: boolean }> }>();

class Fallback extends Error {}

interface TermStats {
  term: QueryTerm;
  /** Position in the query: scores are summed in this order, as FTS5 sums its phrases. */
  index: number;
  idf: number;
  df: number;
}

/**
 * BM25 over the FTS5 index, any-term (OR) matching, exactly FTS5's `bm25()` ranking (ties by
 * chunk id) without ranking every passage that has a common word (MaxScore):
 * 1. Words are ordered by IDF; a word can add at most IDF · (k1 + 1) to a score.
 * 2. FTS5 ranks the passages of the rarest words ("essential") by `bm25()` over those words.
 *    More words become essential until the k-th best partial score exceeds what all the remaining
 *    ("common") words together could add: a passage that has only common words then cannot
 *    reach the top k, so their long doclists are never read.
 * 3. In order of partial score, passages get their common words counted from their own text
 *    (tokenized as FTS5 does, checked against FTS5's per-column token counts) and their full
 *    BM25 computed with FTS5's own row count, token totals and document lengths
 *    (`fts5-stats.ts`), until no remaining passage could reach the k-th best full score.
 * Each computed partial score is compared with FTS5's; any disagreement (an unknown index
 * format, text tokenized differently) makes that search fall back to FTS5 ranking everything.
 */
export class LexicalSearch {
  private readonly options: Required<LexicalOptions>;
  lastEvaluation: LexicalEvaluation | null = null;

  constructor(
    private readonly db: Db,
    options: LexicalOptions = {},
  ) {
    this.options = { ...DEFAULT_LEXICAL, ...options };
  }

  /** The terms a query is searched with (also used for highlighting). */
  plan(query: string): QueryTerm[] {
    return this.planQuery(query).terms;
  }

  /** `skipCommon`: also say whether every term is common (which costs counting their passages, up to a cap). */
  planQuery(query: string, { skipCommon = false }: { skipCommon?: boolean } = {}): LexicalPlan {
    let terms = withoutStopwords(queryTerms(query));
    if (terms.length > MAX_QUERY_TERMS) {
      const withDf = terms.map((term, index) => ({ term, index, df: this.documentFrequency(term, Infinity).count }));
      terms = withDf
        .sort((a, b) => a.df - b.df || a.index - b.index)
        .slice(0, MAX_QUERY_TERMS)
        .sort((a, b) => a.index - b.index)
        .map((t) => t.term);
    }
    if (!skipCommon || terms.length === 0) return { terms, common: false };
    const rows = fts5Totals(this.db, TABLE)?.rows ?? this.chunkCount();
    if (rows < this.options.pruneAbove) return { terms, common: false };
    const commonAbove = Math.floor(rows * this.options.commonTermShare);
    return { terms, common: terms.every((t) => this.documentFrequency(t, commonAbove + 1).count > commonAbove) };
  }

  /** `skipCommon`: no hits for a query whose every term is common (hybrid search then ranks by vectors alone). */
  search(query: string, limit: number, options: { skipCommon?: boolean } = {}): { hits: LexicalHit[]; terms: QueryTerm[] } {
    const { terms, common } = this.planQuery(query, options);
    this.lastEvaluation = null;
    if (terms.length === 0 || limit <= 0 || (common && options.skipCommon)) return { hits: [], terms };
    return { hits: this.evaluate(terms, Math.floor(limit)), terms };
  }

  private evaluate(terms: QueryTerm[], limit: number): LexicalHit[] {
    const totals = fts5Totals(this.db, TABLE);
    if (!totals || totals.rows === 0) return this.plain(terms, limit, totals ? undefined : 'unknown FTS5 format');
    const postings = commonWords(this.db);
    const usable = postings && sameWeights(postings.record.weights, this.options.weights) && postings.added.length <= MAX_ADDED ? postings : null;
    if (terms.length === 1 && !usable?.stems.has(terms[0]!.stem)) return this.plain(terms, limit);
    try {
      const avgdl = totals.tokens / totals.rows;
      const stats = this.termStats(terms, totals.rows);
      return (usable && this.withPostings(usable, stats, limit, avgdl)) || this.maxScore(stats, limit, avgdl);
    } catch (error) {
      if (error instanceof Fallback) return this.plain(terms, limit, error.message);
      throw error;
    }
  }

  /** FTS5 ranks every passage that has any of the terms. */
  plain(terms: readonly QueryTerm[], limit: number, fallback?: string): LexicalHit[] {
    this.lastEvaluation = { method: 'plain', essential: terms.length, completed: 0, exact: true, ...(fallback ? { fallback } : {}) };
    return this.ranked(terms, limit).map(([chunkId, score]) => ({ chunkId, score }));
  }

  /** [chunk id, FTS5 score (higher is better)], best first, ties by chunk id. */
  private ranked(terms: readonly QueryTerm[], limit: number): [number, number][] {
    const match = terms.map((t) => ftsLiteral(t.word)).join(' OR ');
    const [w1, w2, w3] = this.options.weights;
    return statement(this.db, `SELECT rowid, -bm25(chunks_fts, ?, ?, ?) FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts, ?, ?, ?), rowid LIMIT ?`)
      .raw()
      .all(w1, w2, w3, match, w1, w2, w3, limit) as [number, number][];
  }

  private termStats(terms: readonly QueryTerm[], rows: number): TermStats[] {
    return terms.map((term, index) => {
      // IDF is clamped to 1e-6 once a term is in half the rows: counting further changes nothing.
      const { count, exact } = this.documentFrequency(term, Math.ceil(rows / 2));
      const raw = Math.log((rows - count + 0.5) / (count + 0.5));
      return { term, index, df: count, idf: !exact || raw <= 0 ? 1e-6 : raw };
    });
  }

  /**
   * Every matching passage scored, none ranked by FTS5 for a common word: FTS5 ranks the passages
   * of the other (rare) words by `bm25()` over those words, and each common word's part is added
   * from its postings (frequency and length as FTS5 counts them, IDF from FTS5's own count now).
   * Passages added since the postings were refreshed are scored from their text. Null when the
   * rare words match too many passages for this to pay (words that became common since the build).
   */
  private withPostings(postings: CommonWords, stats: readonly TermStats[], limit: number, avgdl: number): LexicalHit[] | null {
    const common = stats.filter((s) => postings.stems.has(s.term.stem));
    const rare = stats.filter((s) => !postings.stems.has(s.term.stem));
    if (common.length === 0 || rare.reduce((sum, s) => sum + s.df, 0) > RARE_POSTINGS) return null;
    const scores = scoreSheet;
    try {
      return this.scoreWithPostings(postings, scores, stats, common, rare, limit, avgdl);
    } finally {
      scores.clear();
      rareSheet.clear();
    }
  }

  private scoreWithPostings(
    postings: CommonWords, scores: ScoreSheet, stats: readonly TermStats[], common: readonly TermStats[], rare: readonly TermStats[], limit: number, avgdl: number,
  ): LexicalHit[] {
    const rareScores = rareSheet;
    if (rare.length > 0) {
      const match = this.inQueryOrder(rare).map((t) => ftsLiteral(t.word)).join(' OR ');
      const [w1, w2, w3] = this.options.weights;
      for (const [id, score] of statement(this.db, 'SELECT rowid, -bm25(chunks_fts, ?, ?, ?) FROM chunks_fts WHERE chunks_fts MATCH ?').raw().iterate(w1, w2, w3, match) as Iterable<[number, number]>) {
        scores.add(id, score);
        rareScores.add(id, score);
      }
    }
    // Words in half the passages or more have FTS5's floor IDF (1e-6): their postings are the longest
    // and together add less than `faintMost` to any score, so they are counted, from the passages'
    // text, only in the passages that are within that of the k-th best score without them.
    const faint = common.filter((s) => s.idf <= FAINT_IDF);
    const strong = faint.length > 0 && faint.length < stats.length ? common.filter((s) => s.idf > FAINT_IDF) : common;
    this.addPostings(postings, strong, scores, avgdl);
    this.lastEvaluation = { method: 'postings', essential: rare.length, completed: 0, exact: true };
    const rareStems = new Set(rare.map((s) => s.term.stem));
    // An added passage has no postings that count (a reused chunk id's old ones were voided at its
    // removal): it is scored from its text, and its rare words' part checked against FTS5's.
    const added = postings.added;
    if (strong !== common) {
      const faintMost = faint.reduce((sum, s) => sum + s.idf * (K1 + 1), 0);
      const most = Math.min(FAINT_COMPLETIONS + limit, Math.floor(faint.reduce((sum, s) => sum + s.df, 0) / this.options.postingsPerCompletion));
      const kth = most >= limit ? scores.top(limit)[limit - 1]?.score : undefined;
      const floor = kth === undefined ? 0 : kth - faintMost - Math.abs(kth) * 1e-9;
      const candidates = floor > 0 ? scores.idsAtLeast(floor, most) : null;
      if (candidates) {
        const ids = [...new Set([...candidates, ...added])];
        const best: LexicalHit[] = [];
        for (const hit of this.complete(ids.map((id) => [id, rareScores.get(id)]), stats, rareStems, avgdl, true)) insert(best, hit, limit);
        this.lastEvaluation.completed = ids.length;
        return best;
      }
      this.addPostings(postings, faint, scores, avgdl);
    }
    if (added.length > 0) {
      for (const hit of this.complete(added.map((id) => [id, rareScores.get(id)]), stats, rareStems, avgdl, true)) scores.set(hit.chunkId, hit.score);
      this.lastEvaluation.completed = added.length;
    }
    return scores.top(limit);
  }

  private addPostings(postings: CommonWords, words: readonly TermStats[], scores: ScoreSheet, avgdl: number): void {
    const removed = postings.removedThrough;
    for (const s of words) {
      const idf = s.idf;
      for (const { generation, pairs, maxId } of postings.segments(s.term.stem)) scores.addPostings(pairs, maxId, generation, removed, idf, avgdl);
    }
  }

  private maxScore(stats: TermStats[], limit: number, avgdl: number): LexicalHit[] {
    const terms = this.inQueryOrder(stats);
    const rows = fts5Totals(this.db, TABLE)!.rows;
    const order = [...stats].sort((a, b) => b.idf - a.idf || a.index - b.index);
    const n = order.length;
    // remaining[j]: the most the words order[j..] can add to any score.
    const remaining = new Float64Array(n + 1);
    for (let j = n - 1; j >= 0; j--) remaining[j] = remaining[j + 1]! + order[j]!.idf * (K1 + 1);
    let maxEssential = n;
    if (rows > this.options.exactUpTo) {
      let postings = order[0]!.df;
      maxEssential = 1;
      while (maxEssential < n && postings + order[maxEssential]!.df <= this.options.postingBudget) postings += order[maxEssential++]!.df;
    }

    // Work is counted in passages FTS5 ranks (about a microsecond each); counting a passage's
    // common words here costs about COMPLETION_COST of them. Up to `exactUpTo` chunks, a search
    // that would cost more than FTS5 ranking every match does that instead (same result).
    const exactOnly = rows <= this.options.exactUpTo;
    // Half of it: giving up after spending up to the whole of plain's cost made the worst searches
    // cost plain's twice over (measured: exact p95 1.7x plain FTS5's at 10k and 100k chunks).
    const plainCost = stats.reduce((sum, s) => sum + s.df, 0) * PLAIN_SHARE;
    let spent = 0;
    const rank = (count: number, fetch: number): [number, number][] | null => {
      const cost = order.slice(0, count).reduce((sum, s) => sum + s.df, 0);
      // Predicted, not found out afterwards: the more common words FTS5 is asked to rank, the longer it takes.
      if (exactOnly && spent + cost > plainCost) return null;
      spent += cost;
      return this.ranked(this.inQueryOrder(order.slice(0, count)), fetch);
    };
    const plain = (reason: string): LexicalHit[] => {
      const hits = this.plain(terms, limit);
      this.lastEvaluation = { ...this.lastEvaluation!, method: 'plain', essential: terms.length, exact: true, cheaper: reason };
      return hits;
    };

    let fetch = Math.max(limit * 4, 200);
    let essential = 1;
    let partial: [number, number][] | null;
    let threshold: number;
    for (;;) {
      partial = rank(essential, fetch);
      if (!partial) return plain('the rare words alone match too many passages');
      threshold = partial.length >= limit ? partial[limit - 1]![1] : 0;
      let next = essential;
      if (threshold <= 0) next = Math.min(essential + 1, n);
      else while (next < n && remaining[next]! >= threshold) next++;
      next = Math.min(next, maxEssential);
      if (next <= essential) break;
      essential = next;
    }
    const rest = remaining[essential]!;
    const exact = rest < threshold || essential === n;
    this.lastEvaluation = { method: 'maxscore', essential, completed: 0, exact };
    if (essential === n) return partial.slice(0, limit).map(([chunkId, score]) => ({ chunkId, score }));

    const essentialStems = new Set(order.slice(0, essential).map((s) => s.term.stem));
    const best: LexicalHit[] = [];
    const kth = (): number => (best.length >= limit ? best[limit - 1]!.score : -Infinity);
    let at = 0;
    for (;;) {
      let done = false;
      while (at < partial.length) {
        if (partial[at]![1] + rest < kth()) {
          done = true;
          break;
        }
        const completing = (this.lastEvaluation.completed + 32) * COMPLETION_COST;
        if (exactOnly && spent + completing > plainCost) return plain('too many passages could still reach the top k');
        if (!exactOnly && best.length >= limit && completing > this.options.postingBudget) {
          // Above exactUpTo: counting stops at the posting budget; the passages not yet counted are left out.
          this.lastEvaluation.exact = false;
          done = true;
          break;
        }
        const batch = partial.slice(at, at + 32);
        for (const hit of this.complete(batch, stats, essentialStems, avgdl)) insert(best, hit, limit);
        this.lastEvaluation.completed += batch.length;
        at += batch.length;
      }
      if (done || partial.length < fetch) break;
      fetch *= 8;
      partial = rank(essential, fetch);
      if (!partial) return plain('the rare words alone match too many passages');
    }
    return best;
  }

  private inQueryOrder(stats: readonly TermStats[]): QueryTerm[] {
    return [...stats].sort((a, b) => a.index - b.index).map((s) => s.term);
  }

  /** Full BM25 of each passage, its common words counted from its text; its essential words' part must agree with FTS5's. */
  private complete(batch: readonly [number, number][], stats: readonly TermStats[], essentialStems: ReadonlySet<string>, avgdl: number, matchingOnly = false): LexicalHit[] {
    const ids = batch.map(([id]) => id);
    const sizes = fts5ColumnSizes(this.db, TABLE, ids, COLUMNS);
    const texts = new Map(
      (
        statement(this.db, 'SELECT c.id, c.text, c.heading_path, d.relative_path FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id IN (SELECT value FROM json_each(?))')
          .raw()
          .all(JSON.stringify(ids)) as [number, string, string, string][]
      ).map(([id, text, heading, file]) => [id, { text, heading, file }] as const),
    );
    const phraseOf = new Map(stats.map((s) => [s.term.stem, s.index]));
    const weights = this.options.weights;
    const hits: LexicalHit[] = [];
    for (const [id, ftsPartial] of batch) {
      const passage = texts.get(id);
      const size = sizes.get(id);
      if (!passage || !size) throw new Fallback(`passage ${id} is missing from the chunks or FTS5's sizes`);
      const columns = indexedColumnWords(passage.text, passage.heading, passage.file, size);
      if (typeof columns === 'string') throw new Fallback(`passage ${id} ${columns}`);
      const frequency = new Float64Array(stats.length);
      let matched = false;
      let length = 0;
      for (let c = 0; c < COLUMNS; c++) {
        const words = columns[c]!;
        length += words.length;
        for (const word of words) {
          const phrase = phraseOf.get(stemOf(word));
          if (phrase === undefined) continue;
          frequency[phrase]! += weights[c]!;
          matched = true;
        }
      }
      if (matchingOnly && !matched) continue;
      const norm = K1 * (1 - B + (B * length) / avgdl);
      let score = 0;
      let partialScore = 0;
      for (const s of stats) {
        const f = frequency[s.index]!;
        const part = (s.idf * (f * (K1 + 1))) / (f + norm);
        score += part;
        if (essentialStems.has(s.term.stem)) partialScore += part;
      }
      if (Math.abs(partialScore - ftsPartial) > AGREEMENT * Math.max(1, Math.abs(ftsPartial))) {
        throw new Fallback(`passage ${id}: partial score ${partialScore} here, ${ftsPartial} in FTS5`);
      }
      hits.push({ chunkId: id, score });
    }
    return hits;
  }

  /**
   * Passages containing the term (FTS5's own count, so deleted rows are not counted), counted up
   * to `cap`: past it the count is not needed, and reading a common word's whole doclist takes
   * tens of milliseconds at a million chunks.
   */
  private documentFrequency(term: QueryTerm, cap: number): { count: number; exact: boolean } {
    const stamp = changeStamp(this.db);
    let cache = frequencies.get(this.db);
    if (cache?.stamp !== stamp || cache.df.size > 100_000) frequencies.set(this.db, (cache = { stamp, df: new Map() }));
    const known = cache.df.get(term.word);
    if (known && (known.exact || known.count >= cap)) return known.exact ? known : { count: Math.min(known.count, cap), exact: known.count < cap };
    const count =
      cap === Infinity
        ? (statement(this.db, 'SELECT COUNT(*) FROM chunks_fts WHERE chunks_fts MATCH ?').pluck().get(ftsLiteral(term.word)) as number)
        : (statement(this.db, 'SELECT COUNT(*) FROM (SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT ?)').pluck().get(ftsLiteral(term.word), cap) as number);
    const result = { count, exact: count < cap };
    cache.df.set(term.word, result);
    return result;
  }

  private chunkCount(): number {
    return statement(this.db, 'SELECT COUNT(*) FROM chunks').pluck().get() as number;
  }
}

function sameWeights(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((w, i) => w === b[i]);
}

/** Scores by chunk id, summed over words; reused across searches (cleared after each). */
class ScoreSheet {
  private values = new Float64Array(1 << 16);
  private seen = new Uint8Array(1 << 16);
  private touched = new Int32Array(1 << 16);
  private count = 0;

  add(id: number, score: number): void {
    if (id >= this.values.length) this.grow(id);
    if (this.seen[id] === 0) {
      this.seen[id] = 1;
      if (this.count === this.touched.length) this.growTouched(this.count + 1);
      this.touched[this.count++] = id;
    }
    this.values[id]! += score;
  }

  /** One word's BM25 part from its postings ([chunk id, frequency in halves · 65536 + length] pairs; none above `maxId`), skipping voided ones. */
  addPostings(pairs: Uint32Array, maxId: number, generation: number, removed: Int32Array, idf: number, avgdl: number): void {
    if (maxId >= this.values.length) this.grow(maxId);
    if (this.count + pairs.length / 2 > this.touched.length) this.growTouched(this.count + pairs.length / 2);
    const { values, seen, touched } = this;
    const removedLength = removed.length;
    let count = this.count;
    for (let i = 0; i < pairs.length; i += 2) {
      const id = pairs[i]!;
      if (id < removedLength && removed[id]! > generation) continue;
      const packed = pairs[i + 1]!;
      const f = (packed >>> 16) / 2;
      // The same expression as FTS5's bm25() and `complete`.
      const norm = K1 * (1 - B + (B * (packed & 0xffff)) / avgdl);
      if (seen[id] === 0) {
        seen[id] = 1;
        touched[count++] = id;
      }
      values[id]! += (idf * (f * (K1 + 1))) / (f + norm);
    }
    this.count = count;
  }

  set(id: number, score: number): void {
    this.add(id, 0);
    this.values[id] = score;
  }

  get(id: number): number {
    return id < this.values.length ? this.values[id]! : 0;
  }

  top(limit: number): LexicalHit[] {
    const best: LexicalHit[] = [];
    for (let i = 0; i < this.count; i++) {
      const id = this.touched[i]!;
      const score = this.values[id]!;
      if (best.length >= limit && score < best[limit - 1]!.score) continue;
      insert(best, { chunkId: id, score }, limit);
    }
    return best;
  }

  /** The ids scored at least `floor`, or null when there are more than `most`. */
  idsAtLeast(floor: number, most: number): number[] | null {
    const ids: number[] = [];
    for (let i = 0; i < this.count; i++) {
      const id = this.touched[i]!;
      if (this.values[id]! < floor) continue;
      if (ids.length >= most) return null;
      ids.push(id);
    }
    return ids;
  }

  clear(): void {
    for (let i = 0; i < this.count; i++) {
      const id = this.touched[i]!;
      this.values[id] = 0;
      this.seen[id] = 0;
    }
    this.count = 0;
  }

  private growTouched(needed: number): void {
    let size = this.touched.length;
    while (size < needed) size *= 2;
    const touched = new Int32Array(size);
    touched.set(this.touched.subarray(0, this.count));
    this.touched = touched;
  }

  private grow(id: number): void {
    let size = this.values.length;
    while (size <= id) size *= 2;
    const values = new Float64Array(size);
    values.set(this.values);
    const seen = new Uint8Array(size);
    seen.set(this.seen);
    this.values = values;
    this.seen = seen;
  }
}

const scoreSheet = new ScoreSheet();
const rareSheet = new ScoreSheet();

/** Keeps `best` sorted (score descending, chunk id ascending) and at most `limit` long. */
function insert(best: LexicalHit[], hit: LexicalHit, limit: number): void {
  let at = best.length;
  while (at > 0 && (best[at - 1]!.score < hit.score || (best[at - 1]!.score === hit.score && best[at - 1]!.chunkId > hit.chunkId))) at--;
  if (at >= limit) return;
  best.splice(at, 0, hit);
  if (best.length > limit) best.pop();
}
