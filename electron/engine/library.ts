import { realpathSync, statSync } from 'node:fs';
import { sep } from 'node:path';
import type { DocumentInfo, LibraryStatus, MailHeaders, OcrSettings } from '../shared/library.js';
import { DEFAULT_OCR_SETTINGS, resolveLanguages } from './ocr/languages.js';
import { OcrPool, type OcrCounters, type OcrPoolOptions } from './ocr/ocr-pool.js';
import { OcrCache } from './store/ocr-cache.js';
import { Indexer, type IndexOptions } from './ingest/pipeline.js';
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
  private pool: ParsePool | null = null;
  private ocrPool: OcrPool | null = null;
  private embedder: Embedder | null = null;
  private batcher: EmbedBatcher | null = null;

  constructor(
    readonly name: string,
    readonly file: string,
    private readonly poolOptions: ParsePoolOptions = {},
    private readonly ocrPoolOptions: OcrPoolOptions = {},
  ) {
    this.db = openDatabase(file);
    this.folders = new FolderStore(this.db);
    this.documents = new DocumentStore(this.db);
    this.chunks = new ChunkStore(this.db);
    this.meta = new MetaStore(this.db);
    this.vectors = new VectorStore(this.db);
    this.conversations = new ConversationStore(this.db);
    this.ocrCache = new OcrCache(this.db);
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

  searcher(tuning: SearchTuning = {}): Searcher {
    return new Searcher({ db: this.db, chunks: this.chunks, documents: this.documents, vectors: this.vectors, embedder: this.embedder }, tuning);
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
    const summary = await indexer.run(options.folders ?? this.folders.list(), options);
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
    await this.pool?.close();
    this.pool = null;
    await this.ocrPool?.close();
    this.ocrPool = null;
    await this.embedder?.close();
    this.embedder = null;
    if (this.db.open) this.db.close();
  }
}
