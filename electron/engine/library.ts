import { statSync } from 'node:fs';
import type { LibraryStatus } from '../shared/library.js';
import { Indexer, type IndexOptions } from './ingest/pipeline.js';
import { ParsePool, type ParsePoolOptions } from './ingest/parse-pool.js';
import { LibraryWatcher, type WatchOptions } from './ingest/watcher.js';
import { ChunkStore } from './store/chunks.js';
import { openDatabase, type Db } from './store/db.js';
import { DocumentStore } from './store/documents.js';
import { FolderStore, type FolderRow } from './store/folders.js';
import { MetaStore } from './store/meta.js';

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
  private pool: ParsePool | null = null;

  constructor(
    readonly name: string,
    readonly file: string,
    private readonly poolOptions: ParsePoolOptions = {},
  ) {
    this.db = openDatabase(file);
    this.folders = new FolderStore(this.db);
    this.documents = new DocumentStore(this.db);
    this.chunks = new ChunkStore(this.db);
    this.meta = new MetaStore(this.db);
  }

  addFolder(path: string, patterns: FolderPatterns = {}): FolderRow {
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info) throw new Error(`No such folder: ${path}`);
    if (!info.isDirectory()) throw new Error(`Not a folder: ${path}`);
    return this.folders.upsert(path, patterns);
  }

  /** Indexes the given folders (all of the library's folders by default). */
  async index(options: IndexOptions & { folders?: FolderRow[] } = {}) {
    const indexer = this.indexer();
    const summary = await indexer.run(options.folders ?? this.folders.list(), options);
    return { summary, timings: indexer.timings };
  }

  indexer(): Indexer {
    this.pool ??= new ParsePool(this.poolOptions);
    return new Indexer({ db: this.db, folders: this.folders, documents: this.documents, chunks: this.chunks, pool: this.pool, libraryName: this.name });
  }

  /** Keeps the library in step with its folders until the signal aborts. */
  watch(options: WatchOptions): LibraryWatcher {
    const watcher = new LibraryWatcher(this, options);
    watcher.start();
    return watcher;
  }

  status(): LibraryStatus {
    const folders = new Map(this.folders.list().map((f) => [f.id, f.path]));
    return {
      library: this.name,
      file: this.file,
      folders: [...folders.values()],
      embedder: this.meta.embedder(),
      counts: this.documents.countsByStatus(),
      chunks: this.chunks.count(),
      documents: this.documents.list().map((d) => ({
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
      })),
    };
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
    if (this.db.open) this.db.close();
  }
}
