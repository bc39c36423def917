import { existsSync } from 'node:fs';
import type { Notice } from '../../shared/contract.js';
import { QuireError } from '../errors.js';
import type { Engine, Library } from '../engine.js';
import type { LibraryWatcher } from '../ingest/watcher.js';

/**
 * The libraries the engine has open: one `Library` per name (its SQLite file opened once), its
 * recorded embedder loaded once however many callers ask at the same time, the watchers that
 * keep indexed libraries in step with their folders, and which libraries are being indexed.
 */
export class OpenLibraries {
  private readonly open = new Map<string, Library>();
  private readonly watchers = new Map<string, LibraryWatcher>();
  private readonly embedderLoads = new Map<string, Promise<Library>>();
  private readonly indexing = new Set<string>();

  constructor(
    private readonly engine: Engine,
    private readonly options: { watch: boolean; notify: (notice: Notice) => void },
  ) {}

  /** The open library of that name; `create` makes its file when there is none yet. */
  get(name: string, options: { create?: boolean } = {}): Library {
    let library = this.open.get(name);
    if (!library) {
      library = this.engine.openLibrary(name, options);
      this.open.set(name, library);
    }
    return library;
  }

  /** A library just created: kept open so that its embedder stays loaded. */
  adopt(library: Library): void {
    this.open.set(library.name, library);
  }

  /** A library with its recorded embedder loaded (once, however many callers ask at the same time). */
  async withEmbedder(name: string): Promise<Library> {
    const library = this.get(name);
    if (library.activeEmbedder || !library.meta.embedder()) return library;
    let loading = this.embedderLoads.get(name);
    if (!loading) {
      loading = (async () => {
        const embedder = await this.engine.loadRecordedEmbedder(library);
        if (embedder && !library.activeEmbedder) library.useEmbedder(embedder);
        return library;
      })().finally(() => this.embedderLoads.delete(name));
      this.embedderLoads.set(name, loading);
    }
    return loading;
  }

  isIndexing(name: string): boolean {
    return this.indexing.has(name);
  }

  /** Runs one indexing job at a time per library; others are refused as `busy`. */
  async whileIndexing<T>(name: string, work: () => Promise<T>): Promise<T> {
    if (this.indexing.has(name)) throw new QuireError('busy', `${name} is already being indexed`);
    this.indexing.add(name);
    this.options.notify({ kind: 'indexing-changed', library: name, message: `${name}: indexing` });
    try {
      return await work();
    } finally {
      this.indexing.delete(name);
      this.options.notify({ kind: 'indexing-changed', library: name, message: `${name}: indexing ended` });
    }
  }

  /** Whether the library's recorded embedding model is loaded, or can be (its folder is still there). */
  embedderAvailable(library: Library): boolean {
    const recorded = library.meta.embedder();
    return library.activeEmbedder !== null || (recorded?.path !== undefined && existsSync(recorded.path));
  }

  /** After an index run: keep the library in sync with its folders from now on (when the shell asked for it). */
  watch(library: Library): void {
    if (!this.options.watch || this.watchers.has(library.name)) return;
    const name = library.name;
    this.watchers.set(
      name,
      library.watch({
        onSync: (s) => {
          this.options.notify({ kind: 'library-changed', library: name, message: `${name}: ${s.indexed} updated, ${s.removed} removed` });
          this.calibrateInBackground(library);
        },
      }),
    );
  }

  /**
   * Recalibrates search in the background when the library changed by more than a tenth; every
   * window hears when new figures are in force. A failure costs only the calibration.
   */
  calibrateInBackground(library: Library): void {
    const name = library.name;
    library.calibrateInBackground().then(
      (figures) => figures && this.options.notify({ kind: 'libraries-changed', library: name, message: `${name}: search calibrated` }),
      (error: unknown) => process.stderr.write(`quire: calibrating ${name} failed: ${(error as Error)?.message ?? String(error)}\n`),
    );
  }

  async close(name: string): Promise<void> {
    await this.watchers.get(name)?.close();
    this.watchers.delete(name);
    await this.open.get(name)?.close();
    this.open.delete(name);
  }

  async closeAll(): Promise<void> {
    for (const watcher of this.watchers.values()) await watcher.close();
    this.watchers.clear();
    for (const library of this.open.values()) await library.close();
    this.open.clear();
  }
}
