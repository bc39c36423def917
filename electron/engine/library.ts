import { realpathSync, statSync } from 'node:fs';
import { sep } from 'node:path';
import type { DocumentInfo, IndexingSettings, LibraryStatus, MailHeaders, OcrSettings } from '../shared/library.js';
import { DEFAULT_OCR_SETTINGS, resolveLanguages } from './ocr/languages.js';
import { OcrPool, type OcrCounters, type OcrPoolOptions } from './ocr/ocr-pool.js';
import { OcrCache } from './store/ocr-cache.js';
import { DEFAULT_MAX_FILE_BYTES, Indexer, type IndexOptions } from './ingest/pipeline.js';
import { DEFAULT_SPLIT } from './ingest/splitter.js';
import { ParsePool, type ParsePoolOptions } from './ingest/parse-pool.js';
import { LibraryWatcher, type WatchOptions } from './ingest/watcher.js';
import { ChunkStore } from './store/chunks.js';
import { openDatabase, type Db } from './store/db.js';
import { DocumentStore } from './store/documents.js';
import { FolderStore, type FolderRow } from './store/folders.js';
import { MetaStore } from './store/meta.js';
import { VectorStore } from './store/vectors.js';
import { ConversationStore } from './store/conversations.js';
import { EmbedBatcher } from './embed/batcher.js';
import type { Embedder } from './embed/embedder.js';
import { Searcher, type SearchTuning } from './search/searcher.js';
import type { RetrievalFigures } from '../shared/search.js';
import { calibrate, CalibrationCancelled, type CalibrationOptions, type CalibrationRecord } from './search/calibration.js';
import { CalibrationStore } from './search/calibration-store.js';
import { refreshCommonWords } from './search/common-words.js';
import type { QueryAdapter } from './search/query-adapter.js';

export interface FolderPatterns {
  include?: string[];
  exclude?: string[];
}

/** One library: its SQLite file and the stores and pipelines over it. */
export class Library {
  readonly db: Db;
  readonly folders: FolderStore;
  readonly documents: DocumentStore;
  readonly chunks: ChunkStore;
  readonly meta: MetaStore;
  readonly vectors: VectorStore;
  readonly conversations: ConversationStore;
  readonly ocrCache: OcrCache;
  readonly calibrations: CalibrationStore;
  private background: { controller: AbortController; done: Promise<RetrievalFigures | null> } | null = null;
  private adapterCache: { key: string; calibratedAt: string; adapter: QueryAdapter | null } | null = null;
  private pool: ParsePool | null = null;
  private ocrPool: OcrPool | null = null;
  private embedder: Embedder | null = null;
  private batcher: EmbedBatcher | null = null;

  constructor(
    readonly name: string,
    readonly file: string,
    private readonly poolOptions: ParsePoolOptions = {},
    private readonly ocrPoolOptions: OcrPoolOptions = {},
    private readonly engineState: { afterEngineCrash: boolean } = { afterEngineCrash: false },
  ) {
    this.db = openDatabase(file);
    this.folders = new FolderStore(this.db);
    this.documents = new DocumentStore(this.db);
    this.chunks = new ChunkStore(this.db);
    this.meta = new MetaStore(this.db);
    this.vectors = new VectorStore(this.db);
    this.conversations = new ConversationStore(this.db);
    this.ocrCache = new OcrCache(this.db);
    this.calibrations = new CalibrationStore(this.db);
  }

  /** Whether scanned pages and images are read with OCR, and in which languages. */
  ocrSettings(): OcrSettings {
    return this.meta.ocr() ?? { ...DEFAULT_OCR_SETTINGS };
  }

  /** Changes the OCR setting; languages must be installed (`@tesseract.js-data/<code>` packages). */
  setOcrSettings(patch: Partial<OcrSettings>): OcrSettings {
    const previous = this.ocrSettings();
    const next = { ...previous, ...patch };
    resolveLanguages(next.languages);
    this.db.transaction(() => {
      this.meta.setOcr(next);
      // Files skipped for want of text (images, scans) are read again by the next run once OCR can read them.
      if (next.enabled && (!previous.enabled || next.languages.join('+') !== previous.languages.join('+'))) {
        this.db.prepare("UPDATE documents SET status = 'pending' WHERE status = 'skipped' AND reason = 'no-text' AND parent_id IS NULL").run();
      }
    }).immediate();
    return next;
  }

  /** Chunk size, overlap and file size cap: as last given for this library, else the defaults. */
  indexingSettings(): IndexingSettings {
    return this.meta.indexing() ?? { ...DEFAULT_SPLIT, maxFileBytes: DEFAULT_MAX_FILE_BYTES };
  }

  /** Keeps the given options with the library: every later run (a re-index, the watcher, the app) uses them. */
  setIndexingSettings(patch: Partial<IndexingSettings>): IndexingSettings {
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<IndexingSettings>;
    const next = { ...this.indexingSettings(), ...defined };
    this.meta.setIndexing(next);
    return next;
  }

  /** What the OCR workers did since the library was opened (pages rendered, recognised, found cached). */
  ocrCounters(): OcrCounters {
    return { ...(this.ocrPool?.counters ?? { rendered: 0, recognized: 0, cacheHits: 0, failed: 0 }) };
  }

  /**
   * Chooses the model whose vectors this library holds. A different model (or dimension) than the
   * one recorded drops the old vectors in the same transaction that records the new model, so two
   * models' vectors never mix; the next index run re-embeds every chunk, with progress.
   */
  useEmbedder(embedder: Embedder & { path?: string }): { reembed: boolean } {
    const recorded = this.meta.embedder();
    const same = recorded?.model === embedder.model && recorded.dimension === embedder.dimension && this.vectors.dimension() === embedder.dimension;
    if (!same) {
      this.db.transaction(() => {
        this.vectors.reset(embedder.dimension);
        this.meta.setEmbedder({ model: embedder.model, dimension: embedder.dimension, pooling: embedder.pooling, path: embedder.path });
      }).immediate();
    } else if (embedder.path && recorded.path !== embedder.path) {
      this.meta.setEmbedder({ ...recorded, path: embedder.path });
    }
    this.replaceEmbedder(embedder);
    return { reembed: !same && this.chunks.count() > 0 };
  }

  /** Keyword search only from now on: the vectors and the record of their model are dropped. */
  dropEmbedder(): void {
    this.db.transaction(() => {
      this.vectors.drop();
      this.meta.clearEmbedder();
    }).immediate();
    this.replaceEmbedder(null);
  }

  /** The library owns its embedder: the one it stops using is closed. */
  private replaceEmbedder(next: Embedder | null): void {
    const previous = this.embedder;
    this.embedder = next;
    this.batcher = next ? new EmbedBatcher(next) : null;
    if (previous && previous !== next) void previous.close().catch(() => undefined);
  }

  get activeEmbedder(): Embedder | null {
    return this.embedder;
  }

  /**
   * A searcher with the library's calibration in force (fusion weights, relevance threshold, query
   * adapter unless switched off); anything given in `tuning` takes precedence.
   */
  searcher(tuning: SearchTuning = {}): Searcher {
    const calibrated = this.calibratedTuning();
    return new Searcher({ db: this.db, chunks: this.chunks, documents: this.documents, vectors: this.vectors, embedder: this.embedder }, { ...calibrated, ...tuning });
  }

  /** The calibration's key: the embedder whose vectors the library holds (`model:dimension`), '' for keyword-only. */
  private calibrationKey(): string {
    const recorded = this.meta.embedder();
    return recorded ? `${recorded.model}:${recorded.dimension}` : '';
  }

  /** The search settings the calibration chose, or nothing when the library was not calibrated for its embedder. */
  calibratedTuning(): SearchTuning {
    const key = this.calibrationKey();
    const stored = this.storedCalibration(key);
    if (!stored) return {};
    const { profile, adapter } = stored;
    return { lexicalWeight: profile.weights.lexical, vectorWeight: profile.weights.vector, queryAdapter: adapter, relevance: { similarity: profile.threshold.similarity, coverage: profile.threshold.coverage } };
  }

  private storedCalibration(key: string): { record: CalibrationRecord; profile: CalibrationRecord['base']; adapter: QueryAdapter | null } | null {
    const raw = this.db.prepare('SELECT calibration FROM retrieval_calibrations WHERE embedder = ?').pluck().get(key) as string | undefined;
    if (!raw) return null;
    const record = JSON.parse(raw) as CalibrationRecord;
    if (record.version !== 1) return null;
    // The adapter (d x d floats) is read again only when a new calibration replaced it.
    if (this.adapterCache?.key !== key || this.adapterCache.calibratedAt !== record.calibratedAt) {
      this.adapterCache = { key, calibratedAt: record.calibratedAt, adapter: this.calibrations.get(key)?.adapter ?? null };
    }
    const adapter = record.adapted && this.queryAdapterEnabled() ? this.adapterCache.adapter : null;
    return { record, profile: adapter && record.adapted ? record.adapted : record.base, adapter };
  }

  /** Whether the calibrated query adapter is used (on unless the user switched it off). */
  queryAdapterEnabled(): boolean {
    return this.meta.get('retrieval.queryAdapter') !== 'off';
  }

  /** Switching the adapter off restores exactly the ranking without it (weights and threshold measured without it). */
  setQueryAdapterEnabled(enabled: boolean): void {
    this.meta.set('retrieval.queryAdapter', enabled ? 'on' : 'off');
  }

  /** How well search retrieves on this library (its own held-back queries), with the calibration in force; null until calibrated. */
  retrieval(): RetrievalFigures | null {
    const stored = this.storedCalibration(this.calibrationKey());
    if (!stored) return null;
    const { record, profile, adapter } = stored;
    return {
      lexical: profile.lexical, vector: profile.vector, hybrid: profile.hybrid, k: record.k, questions: record.questions, tuningQuestions: record.tuningQuestions,
      weights: profile.weights, threshold: profile.threshold,
      adapter: record.adapter ? { ...record.adapter, enabled: this.queryAdapterEnabled() } : null,
      adapterInForce: adapter !== null, embedder: record.embedder, chunks: record.chunks, seconds: record.seconds, calibratedAt: record.calibratedAt,
      stale: this.changedSince(record) > 0.1 * Math.max(1, record.chunks),
    };
  }

  /** Chunks added or removed since the calibration. */
  private changedSince(record: CalibrationRecord): number {
    const added = this.db.prepare('SELECT COUNT(*) FROM chunks WHERE id > ?').pluck().get(record.maxChunkId) as number;
    const kept = this.db.prepare('SELECT COUNT(*) FROM chunks WHERE id <= ?').pluck().get(record.maxChunkId) as number;
    return added + Math.max(0, record.chunks - kept);
  }

  /**
   * Whether a calibration is due and can run now: never calibrated for this embedder, or the
   * library changed by more than a tenth since; and every chunk has its vector from a loaded embedder.
   */
  calibrationDue(): boolean {
    const recorded = this.meta.embedder();
    if (recorded && (!this.embedder || this.embedder.model !== recorded.model || this.vectors.count() < this.chunks.count())) return false;
    if (this.chunks.count() < 20) return false;
    const figures = this.retrieval();
    return figures === null || figures.stale;
  }

  /**
   * Measures lexical, vector and fused retrieval on queries made from the library, chooses the
   * fusion, the relevance threshold and the query adapter, and records them for the library's embedder.
   */
  async calibrate(options: CalibrationOptions = {}): Promise<RetrievalFigures> {
    const recorded = this.meta.embedder();
    if (recorded && this.embedder?.model !== recorded.model) throw new Error(`Load the library's embedding model (${recorded.model}) before calibrating it`);
    const key = this.calibrationKey();
    const { record, adapter } = await calibrate({ db: this.db, vectors: this.vectors, embedder: recorded ? this.embedder : null }, options);
    if (this.calibrationKey() !== key) throw new CalibrationCancelled();
    this.calibrations.set(key, record, adapter);
    return this.retrieval()!;
  }

  async calibrateIfDue(options: CalibrationOptions = {}): Promise<RetrievalFigures | null> {
    return this.calibrationDue() ? this.calibrate(options) : null;
  }

  /** Starts a calibration if one is due (one at a time); `cancelCalibration` or `close` stops it. Resolves null when none ran or it was cancelled. */
  calibrateInBackground(options: Omit<CalibrationOptions, 'signal'> = {}): Promise<RetrievalFigures | null> {
    if (this.background) return this.background.done;
    const controller = new AbortController();
    const done = this.calibrateIfDue({ ...options, signal: controller.signal })
      .catch((error: unknown) => {
        if (error instanceof CalibrationCancelled) return null;
        throw error;
      })
      .finally(() => {
        if (this.background?.controller === controller) this.background = null;
      });
    this.background = { controller, done };
    return done;
  }

  async cancelCalibration(): Promise<void> {
    const running = this.background;
    if (!running) return;
    running.controller.abort();
    await running.done.catch(() => undefined);
  }

  addFolder(path: string, patterns: FolderPatterns = {}): FolderRow {
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info) throw new Error(`No such folder: ${path}`);
    if (!info.isDirectory()) throw new Error(`Not a folder: ${path}`);
    return this.folders.upsert(path, patterns);
  }

  /**
   * Whether a document's file may be read for the user (served or opened): its real path must still lie inside one of
   * the library's folders, unless the library follows links out of them. A file replaced by a link to elsewhere after
   * it was indexed is not read through that link.
   */
  mayRead(path: string): boolean {
    if (this.meta.followLinksOutside()) return true;
    const real = (p: string): string | null => {
      try {
        return realpathSync(p);
      } catch {
        return null;
      }
    };
    const target = real(path);
    if (!target) return false;
    return this.folders.list().some((folder) => {
      const root = real(folder.path);
      return root !== null && (target === root || target.startsWith(root + sep));
    });
  }

  /** Indexes the given folders (all of the library's folders by default). */
  async index(options: IndexOptions & { folders?: FolderRow[] } = {}) {
    const indexer = this.indexer();
    // What a run is not told comes from the library's own settings, so every re-index reads alike.
    const stored = this.indexingSettings();
    const summary = await indexer.run(options.folders ?? this.folders.list(), {
      ...options,
      maxFileBytes: options.maxFileBytes ?? stored.maxFileBytes,
      split: options.split ?? { chunkTokens: stored.chunkTokens, overlapTokens: Math.min(stored.overlapTokens, Math.floor(stored.chunkTokens / 2)) },
    });
    // Also after a cancelled run: whatever it added is scored from text by every search until then.
    await refreshCommonWords(this.db).catch((error: unknown) => {
      if (this.db.open) throw error;
    });
    return { summary, timings: indexer.timings };
  }

  indexer(): Indexer {
    this.pool ??= new ParsePool(this.poolOptions);
    const settings = this.ocrSettings();
    if (settings.enabled) this.ocrPool ??= new OcrPool({ isolation: this.poolOptions.isolation, ...this.ocrPoolOptions });
    return new Indexer({
      db: this.db, folders: this.folders, documents: this.documents, chunks: this.chunks, pool: this.pool, libraryName: this.name,
      embedding: this.batcher ? { batcher: this.batcher, vectors: this.vectors } : undefined,
      ocr: settings.enabled && this.ocrPool ? { pool: this.ocrPool, cache: this.ocrCache, settings } : undefined,
      followLinksOutside: this.meta.followLinksOutside(),
      afterEngineCrash: this.engineState.afterEngineCrash,
    });
  }

  /** Keeps the library in step with its folders until the signal aborts. */
  watch(options: WatchOptions): LibraryWatcher {
    const watcher = new LibraryWatcher(this, options);
    watcher.start();
    return watcher;
  }

  status(): LibraryStatus {
    const folders = new Map(this.folders.list().map((f) => [f.id, f.path]));
    const parents = new Map(
      (this.db.prepare('SELECT id, relative_path AS relativePath FROM documents WHERE id IN (SELECT parent_id FROM documents)').all() as { id: number; relativePath: string }[]).map((p) => [p.id, p.relativePath]),
    );
    return {
      library: this.name,
      file: this.file,
      folders: [...folders.values()],
      embedder: this.meta.embedder(),
      counts: this.documents.countsByStatus(),
      chunks: this.chunks.count(),
      vectors: this.vectors.count(),
      retrieval: this.retrieval(),
      documents: this.documents.list().map((d) => {
        const info: DocumentInfo = {
          path: d.path,
          relativePath: d.relativePath,
          folder: folders.get(d.folderId) ?? '',
          kind: d.kind,
          status: d.status,
          reason: d.reason,
          message: d.message,
          size: d.size,
          chunks: d.chunkCount,
          indexedAt: d.indexedAt,
        };
        if (d.parentId !== null) info.parent = parents.get(d.parentId) ?? null;
        const mail = d.kind === 'email' && d.meta ? (JSON.parse(d.meta) as Partial<MailHeaders>) : null;
        if (mail?.subject !== undefined) info.mail = { from: mail.from ?? '', to: mail.to ?? '', date: mail.date ?? '', subject: mail.subject };
        return info;
      }),
    };
  }

  /** Parser process ids while indexing (benchmarks add their memory to the engine's). */
  parserPids(): number[] {
    return [...(this.pool?.pids() ?? []), ...this.ocrPids()];
  }

  /** OCR worker process ids (a subset of `parserPids`). */
  ocrPids(): number[] {
    return this.ocrPool?.pids() ?? [];
  }

  async close(): Promise<void> {
    await this.cancelCalibration();
    await this.pool?.close();
    this.pool = null;
    await this.ocrPool?.close();
    this.ocrPool = null;
    await this.embedder?.close();
    this.embedder = null;
    if (this.db.open) this.db.close();
  }
}
