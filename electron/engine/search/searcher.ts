import type { Embedder } from '../embed/embedder.js';
import type { ChunkRow, ChunkStore } from '../store/chunks.js';
import type { Db } from '../store/db.js';
import type { DocumentStore } from '../store/documents.js';
import type { VectorStore } from '../store/vectors.js';
import { DEFAULT_RRF_K, reciprocalRankFusion } from './fuse.js';
import { LexicalSearch, type LexicalOptions } from './lexical.js';
import type { QueryAdapter } from './query-adapter.js';
import { Coverage, coverageText } from './relevance.js';
import { exactTokens, fold, type QueryTerm } from './query.js';
import { makeSnippet, termMatcher } from './snippet.js';
import { VectorSearch, type VectorOptions } from './vector.js';

export type SearchMode = 'lexical' | 'vector' | 'hybrid';

export interface SearchOptions {
  k?: number;
  mode?: SearchMode;
  /** One result per document (its best passage). */
  documents?: boolean;
}

export interface SearchTuning {
  lexical?: LexicalOptions;
  vector?: VectorOptions;
  /** RRF constant and per-list weights. */
  rrfK?: number;
  lexicalWeight?: number;
  vectorWeight?: number;
  /** Candidates each list contributes to fusion, per requested result (at least 50). */
  candidatesPerResult?: number;
  /** A learnt map applied to query embeddings before vector search (the library's calibrated adapter). */
  queryAdapter?: QueryAdapter | null;
  /**
   * The library's calibrated relevance threshold: results that reach neither the similarity nor
   * the coverage are marked `weak`. Null or absent: results are not marked.
   */
  relevance?: { similarity: number | null; coverage: number | null } | null;
}

/** The candidate lists of one query, before fusion. */
export interface RankedLists {
  terms: QueryTerm[];
  lexicalIds: number[];
  /** BM25 by chunk (lexical mode only). */
  lexicalScores: Map<number, number>;
  vectorIds: number[];
  /** Cosine similarity by chunk, for what the vector list found. */
  similarities: Map<number, number>;
  vectorStrategy?: 'exact' | 'fast';
}

export interface SearchResult {
  chunkId: number;
  documentId: number;
  path: string;
  relativePath: string;
  kind: string | null;
  score: number;
  text: string;
  snippet: string;
  highlights: [number, number][];
  page: number | null;
  lines: [number, number] | null;
  headingPath: string[];
  /** Spreadsheet location: sheet name and 1-based row range. */
  sheet?: string;
  rows?: [number, number];
  /** Frame of a multi-frame image (TIFF). */
  frame?: number;
  /** Set when the passage was recognised by OCR: the recogniser's confidence, 0-100. */
  ocrConfidence?: number;
  /** 1-based rank in each list that found it. */
  ranks: { lexical?: number; vector?: number };
  /** Cosine similarity to the query, when vector search ran and found this passage. */
  similarity?: number;
  /** With a calibrated library: below its relevance threshold (neither similar nor covering enough of the query). */
  weak?: boolean;
}

export interface SearchResponse {
  mode: SearchMode;
  results: SearchResult[];
  /** Set when the requested mode could not run as asked (e.g. vector search without an embedder). */
  notice?: string;
  noticeCode?: 'no-embedder' | 'no-vectors';
  vectorStrategy?: 'exact' | 'fast';
}

export interface SearcherDeps {
  db: Db;
  chunks: ChunkStore;
  documents: DocumentStore;
  vectors: VectorStore;
  embedder: Embedder | null;
}

const MAX_K = 1000;

/** Lexical, vector and hybrid (reciprocal rank fusion) search over one library. */
export class Searcher {
  private readonly lexical: LexicalSearch;
  private readonly vector: VectorSearch;
  /** Folded passage texts read for the exact-token vote, kept while this searcher lives (one query, or a calibration run). */
  private readonly folded = new Map<number, string>();

  constructor(
    private readonly deps: SearcherDeps,
    private readonly tuning: SearchTuning = {},
  ) {
    this.lexical = new LexicalSearch(deps.db, tuning.lexical);
    this.vector = new VectorSearch(deps.vectors, tuning.vector);
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchResponse> {
    const k = Math.min(MAX_K, Math.max(1, Math.floor(options.k ?? 10)));
    let mode: SearchMode = options.mode ?? (this.canEmbed() ? 'hybrid' : 'lexical');
    let notice: string | undefined;
    let noticeCode: SearchResponse['noticeCode'];
    if (mode !== 'lexical' && !this.canEmbed()) {
      noticeCode = this.deps.embedder ? 'no-vectors' : 'no-embedder';
      notice = this.deps.embedder
        ? 'This library has no vectors yet; run quire index to embed it. Showing lexical results.'
        : 'This library has no embedding model; showing lexical results. Index with --embedder to enable vector search.';
      mode = 'lexical';
    }
    if (query.trim() === '') return { mode, results: [], notice, noticeCode };

    const perList = Math.max(50, k * (this.tuning.candidatesPerResult ?? 5)) * (options.documents ? 4 : 1);
    const lists = await this.lists(query, mode, perList);
    const { terms, lexicalIds, vectorIds, similarities, vectorStrategy } = lists;
    const ranked =
      mode === 'hybrid'
        ? this.fuse(query, lists, k)
        : (mode === 'lexical' ? lexicalIds : vectorIds).map((id) => ({ id, score: mode === 'lexical' ? lists.lexicalScores.get(id)! : similarities.get(id)! }));

    const lexicalRank = new Map(lexicalIds.map((id, i) => [id, i + 1]));
    const vectorRank = new Map(vectorIds.map((id, i) => [id, i + 1]));
    const rows = new Map(this.deps.chunks.byIds(ranked.slice(0, options.documents ? ranked.length : k).map((r) => r.id)).map((c) => [c.id, c]));
    const results: SearchResult[] = [];
    const seenDocuments = new Set<number>();
    const matches = termMatcher(terms);
    const relevance = this.tuning.relevance ?? null;
    const coverage = relevance?.coverage != null ? new Coverage(this.deps.db) : null;
    const weighted = coverage?.terms(query);
    for (const { id, score } of ranked) {
      if (results.length >= k) break;
      const chunk = rows.get(id);
      if (!chunk) continue;
      if (options.documents) {
        if (seenDocuments.has(chunk.documentId)) continue;
        seenDocuments.add(chunk.documentId);
      }
      const result = this.toResult(chunk, score, matches, { lexical: lexicalRank.get(id), vector: vectorRank.get(id) });
      const similarity = similarities.get(id);
      if (similarity !== undefined) result.similarity = similarity;
      if (relevance) {
        const similar = relevance.similarity !== null && similarity !== undefined && similarity >= relevance.similarity;
        const covers = coverage !== null && weighted !== undefined && coverage.of(weighted, coverageText(chunk.text, chunk.headingPath, result.relativePath)) >= relevance.coverage!;
        result.weak = !similar && !covers;
      }
      results.push(result);
    }
    return { mode, results, notice, noticeCode, vectorStrategy };
  }

  /**
   * The lexical and vector candidate lists of a query (`perList` each), unfused. In hybrid mode a
   * query of common words only has no lexical list (its vectors rank it alone).
   */
  async lists(query: string, mode: SearchMode, perList: number): Promise<RankedLists> {
    const lists: RankedLists = { terms: [], lexicalIds: [], lexicalScores: new Map(), vectorIds: [], similarities: new Map() };
    if (mode !== 'vector') {
      const found = this.lexical.search(query, perList, { skipCommon: mode === 'hybrid' });
      lists.terms = found.terms;
      lists.lexicalIds = found.hits.map((h) => h.chunkId);
      if (mode === 'lexical') for (const h of found.hits) lists.lexicalScores.set(h.chunkId, h.score);
    } else {
      lists.terms = this.lexical.plan(query);
    }
    if (mode !== 'lexical') {
      let embedding = await this.deps.embedder!.embedQuery(query.slice(0, 4000));
      if (this.tuning.queryAdapter) embedding = this.tuning.queryAdapter.apply(embedding);
      lists.vectorStrategy = this.vector.strategyFor();
      const hits = this.vector.search(embedding, perList, lists.vectorStrategy);
      lists.vectorIds = hits.map((h) => h.chunkId);
      for (const h of hits) lists.similarities.set(h.chunkId, 1 - h.distance);
    }
    return lists;
  }

  /**
   * Reciprocal rank fusion of a query's lists with the given weights (default: the tuning's), then
   * the exact-token vote. A list of weight 0 only fills in after the other's candidates.
   */
  fuse(query: string, lists: Pick<RankedLists, 'lexicalIds' | 'vectorIds'>, k: number, weights?: { lexical: number; vector: number }): { id: number; score: number }[] {
    // A list switched off still orders the passages only it found, after all of the other list's.
    const weight = (w: number) => (w > 0 ? w : 1e-9);
    const ranked = reciprocalRankFusion(
      [
        { ids: lists.lexicalIds, weight: weight(weights?.lexical ?? this.tuning.lexicalWeight ?? 1) },
        { ids: lists.vectorIds, weight: weight(weights?.vector ?? this.tuning.vectorWeight ?? 1) },
      ],
      this.tuning.rrfK ?? DEFAULT_RRF_K,
    );
    this.boostExactMatches(query, ranked, k);
    return ranked;
  }

  /**
   * Rank fusion alone can let a passage that is merely similar outrank the one holding the exact
   * error code or name the user typed; passages containing every such token get one extra
   * first-place vote.
   */
  private boostExactMatches(query: string, ranked: { id: number; score: number }[], k: number): void {
    const tokens = exactTokens(query).map(fold);
    if (tokens.length === 0) return;
    const head = ranked.slice(0, Math.max(30, k * 3));
    const missing = head.map((r) => r.id).filter((id) => !this.folded.has(id));
    if (this.folded.size + missing.length > 20_000) this.folded.clear();
    for (const c of this.deps.chunks.byIds(missing)) this.folded.set(c.id, fold(c.text));
    const texts = this.folded;
    const bonus = 1 / ((this.tuning.rrfK ?? DEFAULT_RRF_K) + 1);
    for (const entry of head) {
      const text = texts.get(entry.id);
      if (text && tokens.every((t) => containsWord(text, t))) entry.score += bonus;
    }
    ranked.sort((a, b) => b.score - a.score || a.id - b.id);
  }

  private canEmbed(): boolean {
    return this.deps.embedder !== null && this.deps.vectors.dimension() === this.deps.embedder.dimension;
  }

  private toResult(chunk: ChunkRow, score: number, matches: (word: string) => boolean, ranks: SearchResult['ranks']): SearchResult {
    const document = this.deps.documents.byId(chunk.documentId)!;
    const snippet = makeSnippet(chunk.text, matches);
    const cleanRanks: SearchResult['ranks'] = {};
    if (ranks.lexical !== undefined) cleanRanks.lexical = ranks.lexical;
    if (ranks.vector !== undefined) cleanRanks.vector = ranks.vector;
    const result: SearchResult = {
      chunkId: chunk.id,
      documentId: chunk.documentId,
      path: document.path,
      relativePath: document.relativePath,
      kind: document.kind,
      score,
      text: chunk.text,
      snippet: snippet.text,
      highlights: snippet.highlights,
      page: chunk.page,
      lines: chunk.lineStart !== null && chunk.lineEnd !== null ? [chunk.lineStart, chunk.lineEnd] : null,
      headingPath: chunk.headingPath,
      ranks: cleanRanks,
    };
    if (chunk.sheet) result.sheet = chunk.sheet;
    if (chunk.rowStart != null && chunk.rowEnd != null) result.rows = [chunk.rowStart, chunk.rowEnd];
    if (chunk.frame != null) result.frame = chunk.frame;
    if (chunk.ocrConfidence != null) result.ocrConfidence = chunk.ocrConfidence;
    return result;
  }
}

function containsWord(text: string, word: string): boolean {
  let at = text.indexOf(word);
  while (at !== -1) {
    const before = at === 0 ? '' : text[at - 1]!;
    const after = text[at + word.length] ?? '';
    if (!/[\p{L}\p{N}]/u.test(before) && !/[\p{L}\p{N}]/u.test(after)) return true;
    at = text.indexOf(word, at + 1);
  }
  return false;
}
