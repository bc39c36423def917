import { performance } from 'node:perf_hooks';
import type { FusionWeights, RelevanceThreshold } from '../../shared/search.js';
import type { Embedder } from '../embed/embedder.js';
import { ChunkStore } from '../store/chunks.js';
import { openDatabase, statement, type Db } from '../store/db.js';
import { DocumentStore } from '../store/documents.js';
import { VectorStore } from '../store/vectors.js';
import { QueryAdapter, trainQueryAdapter } from './query-adapter.js';
import { Coverage, coverageText } from './relevance.js';
import { makeSelfQueries, makeUnanswerable, type SelfQuery, type Unanswerable } from './self-queries.js';
import { Searcher, type RankedLists } from './searcher.js';

/**
 * Per-library retrieval calibration. The library makes queries from itself (a sentence held out of
 * its passage, see `self-queries.ts`) and queries it cannot answer (made-up words, other subjects).
 * In a scratch copy of the library where each query's passage is indexed *without* its sentence
 * (in FTS5 and, re-embedded, in the vectors), the real lexical and vector searches rank every
 * query. On the tuning part the fusion weights are chosen (one list may be switched off) and the
 * relevance threshold set; a query-side adapter is trained and kept only when it raises recall on
 * the held-back part, where all the reported figures are measured.
 */

export interface CalibrationProfile {
  /** Recall@k on held-back queries. */
  lexical: number;
  vector: number | null;
  hybrid: number;
  weights: FusionWeights;
  threshold: RelevanceThreshold;
}

export interface CalibrationRecord {
  version: 1;
  embedder: string | null;
  k: number;
  questions: number;
  tuningQuestions: number;
  /** Chunk count and highest chunk id when calibrated: how much the library changed since is measured against them. */
  chunks: number;
  maxChunkId: number;
  seconds: number;
  calibratedAt: string;
  base: CalibrationProfile;
  /** The same with the adapter applied to queries, when the adapter was kept. */
  adapted: CalibrationProfile | null;
  adapter: { kept: boolean; vectorWithout: number; vectorWith: number; hybridWithout: number; hybridWith: number; trainSeconds: number } | null;
}

export interface CalibrationProgress {
  phase: 'queries' | 'copying' | 'embedding' | 'measuring' | 'adapter' | 'done';
  done: number;
  total: number;
}

export interface CalibrationOptions {
  /** Self-made queries (60% tune, 40% held back). */
  questions?: number;
  /** Unanswerable queries (same split). */
  unanswerable?: number;
  k?: number;
  /** Largest scratch copy: above it, a deterministic sample of the other passages stands in for the rest. */
  maxChunks?: number;
  trainAdapter?: boolean;
  /** Own questions that must still be answered, on the tuning part (the threshold never refuses more). */
  minAnswered?: number;
  signal?: AbortSignal;
  onProgress?: (progress: CalibrationProgress) => void;
}

export interface CalibrationSource {
  db: Db;
  vectors: VectorStore;
  /** Null for a keyword-only library. */
  embedder: Embedder | null;
}

export class CalibrationCancelled extends Error {
  constructor() {
    super('Calibration was cancelled');
    this.name = 'CalibrationCancelled';
  }
}

/** Ratios vector/lexical weight tried; 0 = vector off, Infinity = lexical off. */
const RATIOS = [0, 1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8, Infinity];

export async function calibrate(source: CalibrationSource, options: CalibrationOptions = {}): Promise<{ record: CalibrationRecord; adapter: QueryAdapter | null }> {
  const started = performance.now();
  const k = options.k ?? 10;
  const check = () => {
    if (options.signal?.aborted) throw new CalibrationCancelled();
  };
  const progress = (phase: CalibrationProgress['phase'], done: number, total: number) => options.onProgress?.({ phase, done, total });
  const embedder = source.embedder && source.vectors.dimension() === source.embedder.dimension ? source.embedder : null;

  progress('queries', 0, 1);
  const positives = makeSelfQueries(source.db, { max: options.questions ?? 500 });
  const negatives = makeUnanswerable(source.db, { count: options.unanswerable ?? 200 });
  check();

  const scratch = await scratchCopy(source, embedder, positives, options.maxChunks ?? 20_000, check, progress);
  try {
    const cached = embedder ? new CachingEmbedder(embedder) : null;
    const queries = [...positives.map((p) => p.query), ...negatives.map((n) => n.query)];
    if (cached) {
      for (let i = 0; i < queries.length; i++) {
        if (i % 16 === 0) {
          check();
          progress('embedding', i, queries.length);
        }
        await cached.embedQuery(queries[i]!.slice(0, 4000));
      }
    }

    const base = await measure(scratch, cached, null, positives, negatives, k, options, check, progress);
    let adapted: CalibrationProfile | null = null;
    let adapter: QueryAdapter | null = null;
    let adapterFigures: CalibrationRecord['adapter'] = null;
    if (cached && embedder && options.trainAdapter !== false) {
      const trainStarted = performance.now();
      const pairs = positives.filter((p) => p.split === 'tune').map((p) => ({ query: cached.cachedQuery(p.query), passage: scratch.vectorOf(p.chunkId) }));
      const trained = await trainQueryAdapter(pairs, embedder.dimension, {
        signal: options.signal,
        onEpoch: (epoch, epochs) => progress('adapter', epoch, epochs),
      });
      check();
      const trainSeconds = (performance.now() - trainStarted) / 1000;
      const withAdapter = await measure(scratch, cached, trained.adapter, positives, negatives, k, options, check, progress, base.ranks);
      // Kept only for a clear gain on held-back queries: more found than lost, beyond chance, and the fusion no worse.
      const gained = withAdapter.vectorHits.filter((h, i) => h && !base.vectorHits[i]).length;
      const lost = base.vectorHits.filter((h, i) => h && !withAdapter.vectorHits[i]).length;
      const kept = gained - lost >= Math.max(3, 2 * Math.sqrt(gained + lost)) && withAdapter.hybrid >= base.hybrid;
      adapterFigures = { kept, vectorWithout: base.vector ?? 0, vectorWith: withAdapter.vector ?? 0, hybridWithout: base.hybrid, hybridWith: withAdapter.hybrid, trainSeconds };
      if (kept) {
        adapted = profileOf(withAdapter);
        adapter = trained.adapter;
      }
    }
    const maxChunkId = (statement(source.db, 'SELECT coalesce(MAX(id), 0) AS n FROM chunks').get() as { n: number }).n;
    const chunks = (statement(source.db, 'SELECT COUNT(*) AS n FROM chunks').get() as { n: number }).n;
    progress('done', 1, 1);
    return {
      record: {
        version: 1,
        embedder: embedder ? `${embedder.model}:${embedder.dimension}` : null,
        k,
        questions: positives.filter((p) => p.split === 'held').length,
        tuningQuestions: positives.filter((p) => p.split === 'tune').length,
        chunks,
        maxChunkId,
        seconds: (performance.now() - started) / 1000,
        calibratedAt: new Date().toISOString(),
        base: profileOf(base),
        adapted,
        adapter: adapterFigures,
      },
      adapter,
    };
  } finally {
    scratch.db.close();
  }
}

function profileOf(measured: Measured): CalibrationProfile {
  const { lexical, vector, hybrid, weights, threshold } = measured;
  return { lexical, vector, hybrid, weights, threshold };
}

interface Scratch {
  db: Db;
  searcher(embedder: Embedder | null, adapter: QueryAdapter | null): Searcher;
  /** The (held-out) passage vector of a chunk in the scratch copy. */
  vectorOf(chunkId: number): Float32Array;
  chunks: ChunkStore;
  documents: DocumentStore;
}

/**
 * An in-memory library with the same schema, holding the queries' passages without their
 * sentences plus the other passages (all of them up to `maxChunks`, else a deterministic sample).
 */
async function scratchCopy(
  source: CalibrationSource,
  embedder: Embedder | null,
  positives: readonly SelfQuery[],
  maxChunks: number,
  check: () => void,
  progress: (phase: CalibrationProgress['phase'], done: number, total: number) => void,
): Promise<Scratch> {
  const db = openDatabase(':memory:');
  try {
    const targets = new Map(positives.map((p) => [p.chunkId, p.heldOut]));
    const all = statement(source.db, 'SELECT id FROM chunks ORDER BY id').pluck().all() as number[];
    const others = all.filter((id) => !targets.has(id));
    const room = Math.max(0, maxChunks - targets.size);
    // Every n-th passage when the library is larger than the copy may be: spread over the whole library.
    const kept = others.length <= room ? others : others.filter((_, i) => Math.floor((i * room) / others.length) !== Math.floor(((i - 1) * room) / others.length));
    const ids = [...targets.keys(), ...kept].sort((a, b) => a - b);

    db.prepare("INSERT INTO folders (id, path) VALUES (1, '/calibration')").run();
    const readChunks = statement(source.db, `SELECT c.id, c.document_id AS documentId, c.ordinal, c.text, c.char_start AS charStart, c.char_end AS charEnd, c.heading_path AS headingPath, c.token_count AS tokenCount, d.path, d.relative_path AS relativePath
      FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id IN (SELECT value FROM json_each(?))`);
    const insertDocument = db.prepare("INSERT OR IGNORE INTO documents (id, folder_id, path, relative_path, status) VALUES (?, 1, ?, ?, 'indexed')");
    const insertChunk = db.prepare('INSERT INTO chunks (id, document_id, ordinal, text, char_start, char_end, heading_path, token_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const dimension = embedder?.dimension ?? null;
    const vectors = new VectorStore(db);
    if (dimension) vectors.reset(dimension);
    const readVectors = dimension ? statement(source.db, 'SELECT chunk_id AS id, embedding FROM chunk_vector_floats WHERE chunk_id IN (SELECT value FROM json_each(?))') : null;
    const vectorById = new Map<number, Float32Array>();
    const batchSize = 1000;
    for (let start = 0; start < ids.length; start += batchSize) {
      check();
      progress('copying', start, ids.length);
      const batch = ids.slice(start, start + batchSize);
      type Row = { id: number; documentId: number; ordinal: number; text: string; charStart: number; charEnd: number; headingPath: string; tokenCount: number; path: string; relativePath: string };
      const rows = readChunks.all(JSON.stringify(batch)) as Row[];
      const heldOut = rows.filter((r) => targets.has(r.id));
      const heldOutVectors = embedder && heldOut.length ? await embedder.embedPassages(heldOut.map((r) => targets.get(r.id)!)) : [];
      const stored = readVectors ? (readVectors.all(JSON.stringify(batch.filter((id) => !targets.has(id)))) as { id: number; embedding: Buffer }[]) : [];
      db.transaction(() => {
        for (const r of rows) {
          insertDocument.run(r.documentId, r.path, r.relativePath);
          insertChunk.run(r.id, r.documentId, r.ordinal, targets.get(r.id) ?? r.text, r.charStart, r.charEnd, r.headingPath, r.tokenCount);
        }
        if (dimension) {
          heldOut.forEach((r, i) => vectorById.set(r.id, heldOutVectors[i]!));
          for (const s of stored) vectorById.set(s.id, new Float32Array(s.embedding.buffer.slice(s.embedding.byteOffset, s.embedding.byteOffset + s.embedding.byteLength)));
          const present = rows.map((r) => r.id).filter((id) => vectorById.has(id));
          vectors.insert(present, present.map((id) => vectorById.get(id)!));
        }
      })();
    }
    const chunks = new ChunkStore(db);
    const documents = new DocumentStore(db);
    return {
      db,
      chunks,
      documents,
      searcher: (queryEmbedder, adapter) => new Searcher({ db, chunks, documents, vectors, embedder: queryEmbedder }, { queryAdapter: adapter }),
      vectorOf: (chunkId) => vectorById.get(chunkId)!,
    };
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Query embeddings computed once, reused for every weight, adapter and threshold tried. */
class CachingEmbedder implements Embedder {
  private readonly cache = new Map<string, Float32Array>();
  constructor(private readonly inner: Embedder) {}
  get model() {
    return this.inner.model;
  }
  get dimension() {
    return this.inner.dimension;
  }
  get pooling() {
    return this.inner.pooling;
  }
  embedPassages(texts: readonly string[]) {
    return this.inner.embedPassages(texts);
  }
  async embedQuery(text: string): Promise<Float32Array> {
    let vector = this.cache.get(text);
    if (!vector) this.cache.set(text, (vector = await this.inner.embedQuery(text)));
    return vector;
  }
  cachedQuery(text: string): Float32Array {
    return this.cache.get(text.slice(0, 4000))!;
  }
  async close() {}
}

interface Ranked {
  lexical: RankedLists;
  hybrid: RankedLists;
}

interface Measured extends CalibrationProfile {
  ranks: { positives: Ranked[]; negatives: Ranked[] };
  /** Per positive query: held back and found by the vector list in the top k. */
  vectorHits: boolean[];
}

/** Everything measured with one query embedding (with or without the adapter). */
async function measure(
  scratch: Scratch,
  embedder: CachingEmbedder | null,
  adapter: QueryAdapter | null,
  positives: readonly SelfQuery[],
  negatives: readonly Unanswerable[],
  k: number,
  options: CalibrationOptions,
  check: () => void,
  progress: (phase: CalibrationProgress['phase'], done: number, total: number) => void,
  earlier?: Measured['ranks'],
): Promise<Measured> {
  const searcher = scratch.searcher(embedder, adapter);
  const perList = Math.max(50, k * 5);
  const rank = async (query: string, earlier: Ranked | undefined): Promise<Ranked> => {
    if (!embedder) {
      const lexical = await searcher.lists(query, 'lexical', perList);
      return { lexical, hybrid: lexical };
    }
    // With the adapter only the vector list changes.
    if (earlier) {
      const vector = await searcher.lists(query, 'vector', perList);
      return { lexical: earlier.lexical, hybrid: { ...earlier.hybrid, vectorIds: vector.vectorIds, similarities: vector.similarities } };
    }
    const hybrid = await searcher.lists(query, 'hybrid', perList);
    // Hybrid's lexical list is the lexical search itself, except for a query of common words only (then empty).
    const lexical = hybrid.lexicalIds.length > 0 ? hybrid : await searcher.lists(query, 'lexical', perList);
    return { lexical, hybrid };
  };
  const total = positives.length + negatives.length;
  const positiveRanks: Ranked[] = [];
  for (const [i, p] of positives.entries()) {
    if (i % 20 === 0) {
      check();
      progress('measuring', i, total);
      await new Promise((resolve) => setImmediate(resolve));
    }
    positiveRanks.push(await rank(p.query, earlier?.positives[i]));
  }
  const negativeRanks: Ranked[] = [];
  for (const [i, n] of negatives.entries()) {
    if (i % 20 === 0) {
      check();
      progress('measuring', positives.length + i, total);
      await new Promise((resolve) => setImmediate(resolve));
    }
    negativeRanks.push(await rank(n.query, earlier?.negatives[i]));
  }

  const isTune = positives.map((p) => p.split === 'tune');
  const hit = (ids: readonly number[], target: number) => ids.slice(0, k).includes(target);
  const reciprocal = (ids: readonly number[], target: number) => {
    const at = ids.slice(0, k).indexOf(target);
    return at === -1 ? 0 : 1 / (at + 1);
  };
  const recall = (tune: boolean, ids: (i: number) => readonly number[]) => {
    let hits = 0;
    let n = 0;
    positives.forEach((p, i) => {
      if (isTune[i] !== tune) return;
      n++;
      if (hit(ids(i), p.chunkId)) hits++;
    });
    return n ? hits / n : 0;
  };

  // Weights: best recall@k on the tuning queries, then best MRR; on a tie, the ratio nearest to
  // one step towards the list that retrieves better alone (1:2 or 2:1), or 1:1 when they are even.
  const tuneRecall = (ids: (i: number) => readonly number[]) => recall(true, ids);
  const lexicalAlone = tuneRecall((i) => positiveRanks[i]!.lexical.lexicalIds);
  const vectorAlone = embedder ? tuneRecall((i) => positiveRanks[i]!.hybrid.vectorIds) : 0;
  const preferred = lexicalAlone > vectorAlone ? 1 / 2 : vectorAlone > lexicalAlone ? 2 : 1;
  const candidates: FusionWeights[] = embedder
    ? RATIOS.map((r) => (r === Infinity ? { lexical: 0, vector: 1 } : r > 1 ? { lexical: 1 / r, vector: 1 } : { lexical: 1, vector: r }))
    : [{ lexical: 1, vector: 0 }];
  const fused = (weights: FusionWeights, r: Ranked, query: string) => searcher.fuse(query, r.hybrid, k, weights).slice(0, k).map((x) => x.id);
  let best: { weights: FusionWeights; recall: number; mrr: number; balance: number } | null = null;
  for (const weights of candidates) {
    let hits = 0;
    let mrr = 0;
    let n = 0;
    positives.forEach((p, i) => {
      if (!isTune[i]) return;
      const ids = embedder ? fused(weights, positiveRanks[i]!, p.query) : positiveRanks[i]!.lexical.lexicalIds;
      n++;
      if (hit(ids, p.chunkId)) hits++;
      mrr += reciprocal(ids, p.chunkId);
    });
    const score = { weights, recall: n ? hits / n : 0, mrr: n ? mrr / n : 0, balance: -Math.abs(Math.log((weights.vector + 1e-3) / (weights.lexical + 1e-3) / preferred)) };
    if (!best || score.recall > best.recall + 1e-9 || (Math.abs(score.recall - best.recall) <= 1e-9 && (score.mrr > best.mrr + 1e-9 || (Math.abs(score.mrr - best.mrr) <= 1e-9 && score.balance > best.balance)))) best = score;
  }
  const weights = best!.weights;
  const finalIds = (r: Ranked, query: string) => (embedder ? fused(weights, r, query) : r.lexical.lexicalIds.slice(0, k));

  // Relevance: per query, the best similarity and the best coverage among the results it would show.
  const coverage = new Coverage(scratch.db);
  const features = (r: Ranked, query: string): Feature => {
    const ids = finalIds(r, query);
    let similarity = -Infinity;
    for (const id of ids) similarity = Math.max(similarity, r.hybrid.similarities.get(id) ?? -Infinity);
    const terms = coverage.terms(query);
    let covered = 0;
    for (const chunk of scratch.chunks.byIds(ids)) {
      const relativePath = scratch.documents.byId(chunk.documentId)?.relativePath ?? '';
      covered = Math.max(covered, coverage.of(terms, coverageText(chunk.text, chunk.headingPath, relativePath)));
    }
    return { similarity, coverage: covered };
  };
  const positiveFeatures = positives.map((p, i) => features(positiveRanks[i]!, p.query));
  const negativeFeatures = negatives.map((n, i) => features(negativeRanks[i]!, n.query));
  const threshold = chooseThreshold(
    positiveFeatures.filter((_, i) => isTune[i]),
    negativeFeatures.filter((_, i) => negatives[i]!.split === 'tune'),
    embedder !== null,
    options.minAnswered ?? 0.95,
  );
  const accepted = (f: Feature) => (threshold.similarity !== null && f.similarity >= threshold.similarity) || (threshold.coverage !== null && f.coverage >= threshold.coverage);
  const heldPositives = positiveFeatures.filter((_, i) => !isTune[i]);
  const heldNegatives = negativeFeatures.filter((_, i) => negatives[i]!.split === 'held');

  const hits = positives.map((p, i) => !isTune[i] && hit(positiveRanks[i]!.hybrid.vectorIds, p.chunkId));
  return {
    ranks: { positives: positiveRanks, negatives: negativeRanks },
    vectorHits: hits,
    lexical: recall(false, (i) => positiveRanks[i]!.lexical.lexicalIds),
    vector: embedder ? recall(false, (i) => positiveRanks[i]!.hybrid.vectorIds) : null,
    hybrid: recall(false, (i) => finalIds(positiveRanks[i]!, positives[i]!.query)),
    weights,
    threshold: {
      ...threshold,
      answered: heldPositives.length ? heldPositives.filter(accepted).length / heldPositives.length : 1,
      refused: heldNegatives.length ? heldNegatives.filter((f) => !accepted(f)).length / heldNegatives.length : 0,
      unanswerable: heldNegatives.length,
    },
  };
}

interface Feature {
  similarity: number;
  coverage: number;
}

/**
 * The similarity and coverage floors (a result counts when it reaches either) that refuse the most
 * unanswerable tuning queries while still answering at least `minAnswered` of the library's own.
 * Each floor sits halfway between the lowest own query it must accept and the unanswerable query
 * just below, so the held-back queries get the benefit of the doubt.
 */
export function chooseThreshold(positives: readonly Feature[], negatives: readonly Feature[], hasVectors: boolean, minAnswered: number): { similarity: number | null; coverage: number | null } {
  if (positives.length === 0) return { similarity: null, coverage: 0 };
  const misses = Math.floor(positives.length * (1 - minAnswered));
  const coverages = [...new Set([0, ...positives.map((p) => p.coverage)])].sort((a, b) => a - b);
  coverages.push(Infinity);
  let best: { coverage: number; similarity: number; refused: number; answered: number } | null = null;
  for (const c of coverages) {
    const uncovered = positives.filter((p) => p.coverage < c);
    let s = Infinity;
    if (uncovered.length > misses) {
      if (!hasVectors) continue;
      const sims = uncovered.map((p) => p.similarity).sort((a, b) => b - a);
      s = sims[uncovered.length - misses - 1]!;
      if (!Number.isFinite(s)) continue;
    }
    const refused = negatives.filter((n) => n.coverage < c && n.similarity < s).length;
    const answered = positives.filter((p) => p.coverage >= c || p.similarity >= s).length;
    if (!best || refused > best.refused || (refused === best.refused && answered > best.answered)) best = { coverage: c, similarity: s, refused, answered };
  }
  if (!best) return { similarity: null, coverage: 0 };
  if (hasVectors && !Number.isFinite(best.similarity)) {
    // Coverage alone answers enough; a similarity above every unanswerable query still answers a
    // paraphrase that shares no word with the library.
    const c = best.coverage;
    const highest = negatives.filter((n) => n.coverage < c).reduce((m, n) => Math.max(m, n.similarity), -Infinity);
    const above = positives.filter((p) => p.similarity > highest).reduce((m, p) => Math.min(m, p.similarity), Infinity);
    if (Number.isFinite(highest) && Number.isFinite(above)) best.similarity = (highest + above) / 2;
  }
  const below = (values: number[], at: number) => values.filter((v) => v < at && Number.isFinite(v)).reduce((m, v) => Math.max(m, v), -Infinity);
  const midway = (at: number, values: number[]) => {
    if (!Number.isFinite(at)) return null;
    const next = below(values, at);
    return Number.isFinite(next) ? (at + next) / 2 : at;
  };
  return {
    coverage: midway(best.coverage, negatives.map((n) => n.coverage)),
    similarity: !hasVectors || !Number.isFinite(best.similarity) ? null : best.similarity > below(negatives.map((n) => n.similarity), Infinity) ? best.similarity : midway(best.similarity, negatives.map((n) => n.similarity)),
  };
}
